package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.Wire;
import io.p2pshare.testing.FakeIndex;
import io.p2pshare.testing.FakeTransferServer;
import io.p2pshare.transfer.PieceHasher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code get} process killed half-way through a 64 MiB download resumes from its verified
 * pieces: the second run fetches only what was missing, and the result verifies.
 */
class GetResumeIntegrationTest {
  static final long PIECE = 4L * 1024 * 1024;

  @Test
  void aKilledDownloadResumesWithoutRefetchingVerifiedPieces(@TempDir Path tmp) throws Exception {
    Path src = tmp.resolve("src");
    Files.createDirectories(src);
    Path f = src.resolve("big.bin");
    byte[] chunk = new byte[1 << 20];
    Random rnd = new Random(11);
    try (var out = Files.newOutputStream(f)) {
      for (int i = 0; i < 64; i++) {
        rnd.nextBytes(chunk);
        out.write(chunk);
      }
    }
    PieceHasher.Hashes h = PieceHasher.hash(f, PIECE);
    Path dest = tmp.resolve("dest");
    try (FakeIndex idx = FakeIndex.start(); FakeTransferServer s = new FakeTransferServer("holder", src, PIECE)) {
      idx.peers.put("holder", s.address());
      idx.files.put("holder", new ConcurrentHashMap<>(Map.of("big.bin", new FileMeta(h.size(), h.sha256()))));
      String index = "127.0.0.1:" + idx.port();

      Process slow = io.p2pshare.testing.JavaProcess.start(tmp.resolve("1.out"), tmp.resolve("1.err"),
          List.of("-Xmx256m"), "get", "big.bin", "--index", index, "--out", dest.toString(),
          "--max-download-rate", "8MB", "--json");
      Path record = dest.resolve("big.bin.resume");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (verifiedLines(record) < 3) {
        assertTrue(slow.isAlive(), "get ended early: " + Files.readString(tmp.resolve("1.err")));
        assertTrue(System.nanoTime() < deadline, "no progress");
        Thread.sleep(50);
      }
      slow.destroyForcibly().waitFor(20, TimeUnit.SECONDS); // kill -9: no cleanup at all
      int verifiedBefore = verifiedLines(record);
      assertTrue(verifiedBefore < h.pieces().size(), "killed before the end");
      assertFalse(Files.exists(dest.resolve("big.bin")), "no final file from a killed download");
      assertTrue(Files.exists(dest.resolve("big.bin.part")));

      long servedBefore = s.bytesServed.get();
      Process again = io.p2pshare.testing.JavaProcess.start(tmp.resolve("2.out"), tmp.resolve("2.err"),
          List.of("-Xmx256m"), "get", "big.bin", "--index", index, "--out", dest.toString(), "--json");
      assertTrue(again.waitFor(120, TimeUnit.SECONDS), "second get finished");
      assertEquals(0, again.exitValue(), Files.readString(tmp.resolve("2.err")));
      JsonNode doc = Wire.MAPPER.readTree(Files.readString(tmp.resolve("2.out")));
      JsonNode file = doc.get("files").get(0);
      long resumed = file.get("resumed_bytes").asLong();
      assertTrue(resumed >= verifiedBefore * PIECE, resumed + " resumed, " + verifiedBefore + " pieces");
      long servedNow = s.bytesServed.get() - servedBefore;
      assertEquals(h.size() - resumed, servedNow, "only the missing pieces were fetched");
      assertEquals(h.sha256(), file.get("sha256").asText());
      assertEquals(h.sha256(), PieceHasher.hash(dest.resolve("big.bin"), PIECE).sha256());
      assertFalse(Files.exists(dest.resolve("big.bin.part")));
      assertFalse(Files.exists(record));
    }
  }

  private static int verifiedLines(Path record) throws Exception {
    if (!Files.exists(record)) {
      return 0;
    }
    List<String> lines = Files.readAllLines(record);
    // pieces on disk: verified ones ("7") and unchecked ones ("w7", re-hashed on resume)
    return (int) lines.stream().skip(1).filter(l -> l.matches("w?\\d+")).count();
  }
}
