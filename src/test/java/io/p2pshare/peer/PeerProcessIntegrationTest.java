package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.p2pshare.protocol.Wire;
import io.p2pshare.testing.IndexProcess;
import io.p2pshare.testing.JavaProcess;
import io.p2pshare.testing.PeerProcess;
import io.p2pshare.transfer.PieceHasher;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes on loopback: the index and two headless peers. 1 KiB, 1 MiB and 64 MiB files
 * arrive with matching SHA-256; the 64 MiB one, held by both peers, is shared between them;
 * a peer whose copy went bad on disk is detected and the file still arrives from the good one;
 * a missing name is NOT_FOUND with exit code 1.
 */
class PeerProcessIntegrationTest {
  static final long PIECE = 4L * 1024 * 1024;

  static Path random(Path dir, String name, long size, long seed) throws Exception {
    Files.createDirectories(dir);
    Path f = dir.resolve(name);
    byte[] chunk = new byte[1 << 20];
    Random rnd = new Random(seed);
    try (var out = Files.newOutputStream(f)) {
      for (long left = size; left > 0; left -= chunk.length) {
        rnd.nextBytes(chunk);
        out.write(chunk, 0, (int) Math.min(chunk.length, left));
      }
    }
    return f;
  }

  record Run(int code, String out, String err) {}

  static Run cli(Path tmp, String tag, String... args) throws Exception {
    Process p = JavaProcess.start(tmp.resolve(tag + ".out"), tmp.resolve(tag + ".err"),
        List.of("-Xmx256m"), args);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), tag + " finished");
    return new Run(p.exitValue(), Files.readString(tmp.resolve(tag + ".out")),
        Files.readString(tmp.resolve(tag + ".err")));
  }

  @Test
  void downloadsFromRealPeersAreVerifiedSharedAndSurviveABadCopy(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    Path s1 = data.resolve("peer1/shared");
    Path s2 = data.resolve("peer2/shared");
    Path k1 = random(s1, "t_1k.txt", 1024, 1);
    Path m1 = random(s1, "t_1m.bin", 1 << 20, 2);
    Path big = random(s1, "t_64m.bin", 64L << 20, 3);
    Files.createDirectories(s2);
    Files.copy(big, s2.resolve("t_64m.bin"));
    Path bad = random(s1, "t_bad.bin", 12L << 20, 4);
    Files.copy(bad, s2.resolve("t_bad.bin"));
    try (IndexProcess index = new IndexProcess(tmp.resolve("index"),
            "{\"replication\": {\"heartbeat_interval_ms\": 1000, \"replication_factor\": 1}}").start();
        PeerProcess p1 = new PeerProcess("peer1", data, index.address(), tmp.resolve("logs"), List.of("-Xmx256m"));
        PeerProcess p2 = new PeerProcess("peer2", data, index.address(), tmp.resolve("logs"), List.of("-Xmx256m"))) {
      p1.awaitStarted();
      p2.awaitStarted();
      IndexClientTest.await(() -> IndexRestartIntegrationTest.holders(index.address(), "t_64m.bin") == 2
          && IndexRestartIntegrationTest.holders(index.address(), "t_bad.bin") == 2, "both peers registered");

      Path out = tmp.resolve("out");
      Run got = cli(tmp, "get1", "get", "t_1k.txt", "t_1m.bin", "t_64m.bin", "--index", index.address(),
          "--out", out.toString(), "--json");
      assertEquals(0, got.code(), got.err());
      JsonNode files = Wire.MAPPER.readTree(got.out()).get("files");
      for (Path src : List.of(k1, m1, big)) {
        String name = src.getFileName().toString();
        assertEquals(PieceHasher.hash(src, PIECE).sha256(), PieceHasher.hash(out.resolve(name), PIECE).sha256(), name);
      }
      Set<String> bigSources = new HashSet<>();
      files.get(2).get("sources").forEach(n -> bigSources.add(n.asText()));
      assertEquals(Set.of("peer1", "peer2"), bigSources, "two sources shared the 64 MiB file");

      // peer2's copy rots on disk after it was hashed (same size and mtime: the cache trusts it).
      Path rotten = s2.resolve("t_bad.bin");
      FileTime mtime = Files.getLastModifiedTime(rotten);
      try (RandomAccessFile raf = new RandomAccessFile(rotten.toFile(), "rw")) {
        for (long off = 0; off < Files.size(rotten); off += PIECE) {
          raf.seek(off + 100);
          raf.write(0x42 ^ raf.read());
        }
      }
      Files.setLastModifiedTime(rotten, mtime);
      Run healed = cli(tmp, "get2", "get", "t_bad.bin", "--index", index.address(), "--out",
          out.toString(), "--json");
      assertEquals(0, healed.code(), healed.err());
      JsonNode f = Wire.MAPPER.readTree(healed.out()).get("files").get(0);
      assertEquals("peer1", f.get("sources").get(0).asText());
      assertEquals(1, f.get("sources").size(), "the corrupt source was dropped");
      assertEquals(PieceHasher.hash(bad, PIECE).sha256(), PieceHasher.hash(out.resolve("t_bad.bin"), PIECE).sha256());

      Run missing = cli(tmp, "get3", "get", "no_such_file.bin", "--index", index.address(), "--out", out.toString());
      assertEquals(1, missing.code());
      assertTrue(missing.err().contains("NOT_FOUND"), missing.err());
    }
  }
}
