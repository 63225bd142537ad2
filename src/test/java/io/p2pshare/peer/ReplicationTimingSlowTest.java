package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.*;

import io.p2pshare.peer.DatasetGenerator.Spec;
import io.p2pshare.protocol.StatsResponse;
import io.p2pshare.testing.IndexProcess;
import io.p2pshare.testing.PeerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's figures: 3 peers, 1,000 × 1 KiB + 100 × 1 MiB on one of them; time until
 * under-replicated is 0, then kill -9 a holder and time until it is 0 again (grace 10 s here).
 */
@Tag("slow")
class ReplicationTimingSlowTest {
  static StatsResponse stats(IndexProcess index) {
    try (io.p2pshare.protocol.FrameSocket s =
        io.p2pshare.protocol.FrameSocket.connect("127.0.0.1", index.port(), 5000, "t")) {
      return s.request(io.p2pshare.protocol.MessageType.STATS_REQUEST, java.util.Map.of())
          .payloadAs(StatsResponse.class);
    } catch (Exception e) {
      return null;
    }
  }

  @Test
  void timings(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    List<Spec> specs = DatasetGenerator.plan("peer1", List.of("kb", "mb"),
        new io.p2pshare.config.AppConfig.FileGeneration(null, null, null, null, null, null));
    DatasetGenerator.generate(data.resolve("peer1/shared"), specs, 42, 1 << 20, l -> {});
    String cfg = "{\"replication\": {\"replication_factor\": 2, \"heartbeat_interval_ms\": 1000,"
        + " \"peer_expiry_ms\": 5000, \"rereplication_grace_ms\": 10000, \"max_tasks_per_peer\": 4}}";
    Path cfgFile = Files.writeString(tmp.resolve("c.json"), cfg);
    List<String> jvm = List.of("-Xmx512m");
    try (IndexProcess index = new IndexProcess(tmp.resolve("index"), cfg).start();
        PeerProcess p1 = new PeerProcess("peer1", data, index.address(), tmp.resolve("logs"), jvm, "--config", cfgFile.toString());
        PeerProcess p2 = new PeerProcess("peer2", data, index.address(), tmp.resolve("logs"), jvm, "--config", cfgFile.toString());
        PeerProcess p3 = new PeerProcess("peer3", data, index.address(), tmp.resolve("logs"), jvm, "--config", cfgFile.toString())) {
      long t0 = System.nanoTime();
      p1.awaitStarted();
      p2.awaitStarted();
      p3.awaitStarted();
      IndexClientTest.await(() -> {
        StatsResponse s = stats(index);
        return s != null && s.files() != null && s.files() == 1100 && s.underReplicated() == 0;
      }, "1,100 files on two peers");
      double startup = (System.nanoTime() - t0) / 1e9;
      long t1 = System.nanoTime();
      p2.kill();
      IndexClientTest.await(() -> {
        StatsResponse s = stats(index);
        return s != null && s.peersLive() == 2 && s.underReplicated() > 0;
      }, "peer2 declared dead");
      double dead = (System.nanoTime() - t1) / 1e9;
      IndexClientTest.await(() -> {
        StatsResponse s = stats(index);
        return s != null && s.peersLive() == 2 && s.underReplicated() == 0;
      }, "re-replicated");
      double back = (System.nanoTime() - t1) / 1e9;
      StatsResponse s = stats(index);
      System.out.printf("replication: start-up to under_replicated 0: %.1f s (processes started at t0);"
          + " kill -9 -> dead after %.1f s -> under_replicated 0 after %.1f s (expiry 5 s + grace 10 s);"
          + " tasks %s%n", startup, dead, back, s.tasks());
      assertEquals(0, s.underReplicated());
    }
  }
}
