package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.p2pshare.protocol.FrameSocket;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.testing.IndexProcess;
import io.p2pshare.testing.PeerProcess;
import io.p2pshare.transfer.PieceHasher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, a full disk under replication: peer2's {@code replicated/} is a small tmpfs, almost
 * filled by a hidden file, so every copy the index asks of it fails with ENOSPC. The tasks must
 * end as failed (none stuck running), nothing may appear under a final name unless it
 * verifies, and every .part keeps its .resume; once there is room again the index's retries
 * bring every file to two holders and the index's counts match the disks.
 */
class DiskFullReplicationIntegrationTest {
  static final String CONFIG = "{\"replication\":{\"heartbeat_interval_ms\":500,\"peer_expiry_ms\":5000,"
      + "\"rereplication_grace_ms\":3000},\"peer\":{\"piece_size_bytes\":1048576}}";

  @Test
  void replicationIntoAFullDiskFailsCleanlyAndRecoversOnceThereIsRoom(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    Path replicated = Files.createDirectories(data.resolve("peer2/replicated"));
    Assumptions.assumeTrue(TransferFaultsIntegrationTest.run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs",
        replicated.toString()) == 0, "skipped: needs root and a tmpfs mount to simulate a full disk");
    try {
      Map<String, Path> src = new TreeMap<>();
      long[] sizes = {300_000, 1_500_000, 2_600_000};
      for (int i = 0; i < sizes.length; i++) {
        String name = "peer1_full_" + i + ".bin";
        src.put(name, PeerProcessIntegrationTest.random(data.resolve("peer1/shared"), name, sizes[i], 50 + i));
      }
      Path filler = TransferFaultsIntegrationTest.fill(replicated, ".filler", (8L << 20) - 128 * 1024);
      Path cfg = Files.writeString(tmp.resolve("config.json"), CONFIG);
      try (IndexProcess index = new IndexProcess(tmp.resolve("index"), CONFIG).start();
          PeerProcess p1 = new PeerProcess("peer1", data, index.address(), tmp.resolve("logs"),
              List.of("-Xmx160m"), "--config", cfg.toString());
          PeerProcess p2 = new PeerProcess("peer2", data, index.address(), tmp.resolve("logs"),
              List.of("-Xmx160m"), "--config", cfg.toString())) {
        p1.awaitStarted();
        p2.awaitStarted();
        // Every copy fails: each file's task is reported failed, at least once.
        JsonNode s = awaitStats(index, st -> st.at("/tasks/failed").asInt() >= sizes.length, tmp);
        TransferFaultsIntegrationTest.assertClean(replicated, src);
        System.out.println("disk-full replication: while full " + s);

        Files.delete(filler);
        s = awaitStats(index, st -> st.get("under_replicated").asInt() == 0 && st.get("entries").asInt() == 6
            && st.at("/tasks/queued").asInt() == 0 && st.at("/tasks/running").asInt() == 0, tmp);
        System.out.println("disk-full replication: after room " + s);
        TransferFaultsIntegrationTest.assertClean(replicated, src);
        for (Map.Entry<String, Path> e : src.entrySet()) {
          assertEquals(PieceHasher.hash(e.getValue(), 1 << 20).sha256(),
              PieceHasher.hash(replicated.resolve(e.getKey()), 1 << 20).sha256(), e.getKey());
        }
        for (String name : src.keySet()) {
          assertEquals(2, IndexRestartIntegrationTest.holders(index.address(), name), name);
        }
      }
    } finally {
      TransferFaultsIntegrationTest.run("umount", "-l", replicated.toString());
    }
  }

  private static JsonNode awaitStats(IndexProcess index, Predicate<JsonNode> done, Path logs) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      try (FrameSocket s = FrameSocket.connect("127.0.0.1", index.port(), 10_000, "check")) {
        last = s.request(MessageType.STATS_REQUEST, Map.of()).payload();
      }
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("stats never got there: " + last + "; logs in " + logs);
  }
}
