package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.p2pshare.protocol.Wire;
import io.p2pshare.testing.IndexProcess;
import io.p2pshare.testing.JavaProcess;
import io.p2pshare.testing.PeerProcess;
import io.p2pshare.transfer.PieceHasher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, fault tolerance: the only source of a file, a real peer process, is SIGKILLed in the
 * middle of a transfer. The {@code get} ends by itself (no hang) with a clear error, nothing
 * under the final name, and the verified pieces kept with their record; once the peer is back
 * (new port, registered again) a second {@code get} resumes from them and the file verifies.
 * ({@link GetResumeIntegrationTest} kills the downloader instead; the chaos tests kill sources
 * that have other holders.)
 */
class SourceKilledMidTransferIntegrationTest {
  static final long PIECE = 1L << 20;
  static final String CONFIG = "{\"replication\":{\"replication_factor\":1,\"heartbeat_interval_ms\":500,"
      + "\"peer_expiry_ms\":3000},\"peer\":{\"piece_size_bytes\":1048576}}";

  @Test
  void theOnlySourceKilledMidTransferFailsCleanlyAndTheNextGetResumes(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    Path src = PeerProcessIntegrationTest.random(data.resolve("peer1/shared"), "k_big.bin", 24L << 20, 61);
    String sha = PieceHasher.hash(src, PIECE).sha256();
    Path cfg = Files.writeString(tmp.resolve("config.json"), CONFIG);
    Path out = tmp.resolve("out");
    try (IndexProcess index = new IndexProcess(tmp.resolve("index"), CONFIG).start()) {
      PeerProcess p1 = new PeerProcess("peer1", data, index.address(), tmp.resolve("logs1"),
          List.of("-Xmx160m"), "--config", cfg.toString(), "--max-upload-rate", "3MB").awaitStarted();
      try {
        IndexClientTest.await(() -> IndexRestartIntegrationTest.holders(index.address(), "k_big.bin") == 1,
            "peer1 registered");
        Process get = JavaProcess.start(tmp.resolve("get1.out"), tmp.resolve("get1.err"), List.of("-Xmx128m"),
            "get", "k_big.bin", "--index", index.address(), "--out", out.toString(), "--json",
            "--config", cfg.toString());
        Path record = out.resolve("k_big.bin.resume");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (verifiedPieces(record) < 3) {
          assertTrue(get.isAlive(), "get ended early: " + Files.readString(tmp.resolve("get1.err")));
          assertTrue(System.nanoTime() < deadline, "no progress");
          Thread.sleep(50);
        }
        p1.kill(); // SIGKILL the source mid-body
        assertTrue(get.waitFor(120, TimeUnit.SECONDS), "get ends by itself when its only source dies");
        assertEquals(1, get.exitValue(), "a failure, not a success");
        assertTrue(Files.readString(tmp.resolve("get1.err")).contains("k_big.bin"));
        assertFalse(Files.exists(out.resolve("k_big.bin")), "nothing under the final name");
        assertTrue(Files.exists(out.resolve("k_big.bin.part")) && Files.exists(record),
            "verified pieces kept with their record");
        int kept = verifiedPieces(record);

        p1 = new PeerProcess("peer1", data, index.address(), tmp.resolve("logs2"),
            List.of("-Xmx160m"), "--config", cfg.toString()).awaitStarted();
        // The old session expires, the restarted peer registers under its new port.
        int newPort = p1.port();
        IndexClientTest.await(() -> holderPort(index, "k_big.bin") == newPort, "peer1 registered again");
        PeerProcessIntegrationTest.Run again = PeerProcessIntegrationTest.cli(tmp, "get2", "get", "k_big.bin",
            "--index", index.address(), "--out", out.toString(), "--json", "--config", cfg.toString());
        assertEquals(0, again.code(), again.err());
        JsonNode f = Wire.MAPPER.readTree(again.out()).get("files").get(0);
        assertTrue(f.get("resumed_bytes").asLong() >= kept * PIECE, "resumed from the kept pieces: " + f);
        assertEquals(sha, PieceHasher.hash(out.resolve("k_big.bin"), PIECE).sha256());
        assertFalse(Files.exists(out.resolve("k_big.bin.part")));
        assertFalse(Files.exists(record));
        System.out.println("source-killed: " + kept + " pieces kept, second get " + f);
      } finally {
        p1.kill();
      }
    }
  }

  private static int holderPort(IndexProcess index, String name) {
    try (var s = io.p2pshare.protocol.FrameSocket.connect("127.0.0.1", index.port(), 5000, "t")) {
      JsonNode r = s.request(io.p2pshare.protocol.MessageType.SEARCH_REQUEST,
          new io.p2pshare.protocol.SearchRequest(io.p2pshare.protocol.SearchQuery.exact(name))).payload();
      return r.get("results").size() == 1 ? r.get("results").get(0).at("/peer/port").asInt() : -1;
    } catch (Exception e) {
      return -1;
    }
  }

  private static int verifiedPieces(Path record) throws Exception {
    if (!Files.exists(record)) {
      return 0;
    }
    // pieces on disk: verified ones ("7") and unchecked ones ("w7", re-hashed on resume)
    return (int) Files.readAllLines(record).stream().skip(1).filter(l -> l.matches("w?\\d+")).count();
  }
}
