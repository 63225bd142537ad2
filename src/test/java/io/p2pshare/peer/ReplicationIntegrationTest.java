package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.*;

import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.FrameSocket;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchRequest;
import io.p2pshare.protocol.SearchResponse;
import io.p2pshare.protocol.SearchResult;
import io.p2pshare.protocol.StatsResponse;
import io.p2pshare.testing.IndexProcess;
import io.p2pshare.testing.PeerProcess;
import io.p2pshare.transfer.PieceHasher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5 end to end with real processes: three peers, a dataset on one; every file reaches a
 * second peer (checked through stats and by hashing replicated/); one holder is killed with -9;
 * after the grace period every file is again on two live peers.
 */
class ReplicationIntegrationTest {

  static StatsResponse stats(IndexProcess index) {
    try (FrameSocket s = FrameSocket.connect("127.0.0.1", index.port(), 5000, "t")) {
      return s.request(MessageType.STATS_REQUEST, Map.of()).payloadAs(StatsResponse.class);
    } catch (Exception e) {
      return null;
    }
  }

  static List<SearchResult> holders(IndexProcess index, String name) {
    try (FrameSocket s = FrameSocket.connect("127.0.0.1", index.port(), 5000, "t")) {
      Envelope r = s.request(MessageType.SEARCH_REQUEST, new SearchRequest(SearchQuery.exact(name)));
      SearchResponse resp = r.payloadAs(SearchResponse.class);
      return resp.results() == null ? List.of() : resp.results();
    } catch (Exception e) {
      return List.of();
    }
  }

  @Test
  void everyFileReachesTwoLivePeersAndIsRestoredAfterAHolderDies(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    Path shared = data.resolve("peer1/shared");
    Map<String, String> sha = new HashMap<>();
    for (int i = 1; i <= 30; i++) {
      Path f = PeerProcessIntegrationTest.random(shared, String.format("peer1_kb_%04d.txt", i), 1024, i);
      sha.put(f.getFileName().toString(), PieceHasher.hash(f, 4L << 20).sha256());
    }
    for (int i = 1; i <= 3; i++) {
      Path f = PeerProcessIntegrationTest.random(shared, String.format("peer1_mb_%04d.bin", i), 1 << 20, 100 + i);
      sha.put(f.getFileName().toString(), PieceHasher.hash(f, 4L << 20).sha256());
    }
    String cfg = "{\"replication\": {\"replication_factor\": 2, \"heartbeat_interval_ms\": 500,"
        + " \"peer_expiry_ms\": 3000, \"rereplication_grace_ms\": 3000, \"max_tasks_per_peer\": 4}}";
    List<String> jvm = List.of("-Xmx256m");
    try (IndexProcess index = new IndexProcess(tmp.resolve("index"), cfg).start();
        PeerProcess p1 = new PeerProcess("peer1", data, index.address(), tmp.resolve("logs"), jvm, "--config", write(tmp, cfg));
        PeerProcess p2 = new PeerProcess("peer2", data, index.address(), tmp.resolve("logs"), jvm, "--config", write(tmp, cfg));
        PeerProcess p3 = new PeerProcess("peer3", data, index.address(), tmp.resolve("logs"), jvm, "--config", write(tmp, cfg))) {
      p1.awaitStarted();
      p2.awaitStarted();
      p3.awaitStarted();
      IndexClientTest.await(() -> {
        StatsResponse s = stats(index);
        return s != null && s.files() != null && s.files() == sha.size() && s.underReplicated() == 0;
      }, "every file on two peers");
      // The copies are real and verified: hash what landed in replicated/.
      Map<String, Integer> copies = new HashMap<>();
      for (String peer : List.of("peer2", "peer3")) {
        Path rep = data.resolve(peer + "/replicated");
        if (!Files.isDirectory(rep)) {
          continue;
        }
        try (var files = Files.list(rep)) {
          for (Path f : files.filter(p -> !p.getFileName().toString().startsWith(".")).toList()) {
            String name = f.getFileName().toString();
            assertEquals(sha.get(name), PieceHasher.hash(f, 4L << 20).sha256(), name);
            copies.merge(name, 1, Integer::sum);
          }
        }
      }
      assertEquals(sha.keySet(), copies.keySet(), "each file has a replica");

      // Kill the peer holding the most replicas; after the grace period they come back elsewhere.
      Path rep2 = data.resolve("peer2/replicated");
      long on2 = Files.isDirectory(rep2) ? Files.list(rep2).count() : 0;
      PeerProcess victim = on2 > 0 ? p2 : p3;
      victim.kill();
      IndexClientTest.await(() -> {
        StatsResponse s = stats(index);
        if (s == null || s.underReplicated() != 0 || s.peersLive() != 2) {
          return false;
        }
        for (String name : sha.keySet()) {
          Set<String> live = holders(index, name).stream().map(SearchResult::peerId).collect(Collectors.toSet());
          if (live.contains(victim.id()) || live.size() < 2) {
            return false;
          }
        }
        return true;
      }, "re-replication after " + victim.id() + " died");
    }
  }

  private static String write(Path tmp, String cfg) throws Exception {
    Path p = tmp.resolve("peer-config.json");
    if (!Files.exists(p)) {
      Files.writeString(p, cfg);
    }
    return p.toString();
  }
}
