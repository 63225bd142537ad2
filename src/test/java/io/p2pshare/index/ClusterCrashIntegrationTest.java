package io.p2pshare.index;

import akka.actor.typed.ActorSystem;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import io.p2pshare.config.AppConfig;
import io.p2pshare.config.ConfigLoader;
import io.p2pshare.peer.PeerGuardian;
import io.p2pshare.protocol.FrameSocket;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.testing.JavaProcess;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node crash instead of a graceful leave: node C (a separate JVM, the seed and oldest node, so
 * it runs the coordinator singleton) is killed with SIGKILL. The split brain resolver
 * (keep-majority, stable-after 3 s here) lets A and B, the majority, down it; its shards restart
 * on A and B, its peer fails over, the others re-register, and every file is found on two live
 * peers again through A and B. Slow (about a minute): {@code mvn test -Dsurefire.excludedGroups=}.
 */
@Tag("slow")
class ClusterCrashIntegrationTest {
  static final int FILES = 10;
  static final String JSON = "{\"replication\":{\"heartbeat_interval_ms\":300,\"peer_expiry_ms\":1500,"
      + "\"rereplication_grace_ms\":1500},\"index\":{\"shards\":8,\"cluster\":{\"stable_after\":\"3s\"}}}";

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void majority_downs_a_crashed_node_and_rebuilds_its_shards(@TempDir Path tmp) throws Exception {
    AppConfig cfg = ConfigLoader.parse(JSON, "test");
    Path cfgFile = Files.writeString(tmp.resolve("config.json"), JSON);
    int cControl = freePort();
    int cNode = freePort();
    Process c = JavaProcess.start(tmp.resolve("c.out"), tmp.resolve("c.err"), List.of("-Xmx256m"),
        "index", "--config", cfgFile.toString(), "--host", "127.0.0.1", "--port", Integer.toString(cControl),
        "--cluster", "--node-host", "127.0.0.1", "--node-port", Integer.toString(cNode));
    List<ActorSystem<?>> systems = new ArrayList<>();
    try {
      ClusterIndexIntegrationTest.await("node C up", () -> {
        try (FrameSocket s = FrameSocket.connect("127.0.0.1", cControl, 2000, "probe")) {
          s.request(MessageType.STATS_REQUEST, Map.of());
          return null;
        }
      });
      ClusterIndexIntegrationTest.Node cNodeRef = new ClusterIndexIntegrationTest.Node(null,
          new InetSocketAddress("127.0.0.1", cControl), cNode);
      List<String> seed = List.of("127.0.0.1:" + cNode);
      ClusterIndexIntegrationTest.Node a = ClusterIndexIntegrationTest.startNode(cfg, seed, "3s");
      systems.add(a.system());
      ClusterIndexIntegrationTest.Node b = ClusterIndexIntegrationTest.startNode(cfg, seed, "3s");
      systems.add(b.system());
      ClusterIndexIntegrationTest.await("3 members up", () -> upCount(a) == 3 && upCount(b) == 3 ? null
          : "up " + upCount(a) + "/" + upCount(b));

      Path data = tmp.resolve("data");
      Set<String> names = new TreeSet<>();
      Path shared = Files.createDirectories(data.resolve("peer1").resolve("shared"));
      Random rnd = new Random(11);
      for (int i = 1; i <= FILES; i++) {
        byte[] bytes = new byte[1024];
        rnd.nextBytes(bytes);
        String name = String.format("peer1_kb_%04d.txt", i);
        Files.write(shared.resolve(name), bytes);
        names.add(name);
      }
      systems.add(ClusterIndexIntegrationTest.startPeer("peer1", data, cfg, cNodeRef, a, b));
      systems.add(ClusterIndexIntegrationTest.startPeer("peer2", data, cfg, a, b, cNodeRef));
      systems.add(ClusterIndexIntegrationTest.startPeer("peer3", data, cfg, b, a, cNodeRef));
      for (ClusterIndexIntegrationTest.Node n : List.of(a, b)) {
        ClusterIndexIntegrationTest.awaitHolders(n, names, h -> h.size() >= 2 ? null : "holders " + h);
      }

      long t0 = System.nanoTime();
      c.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // kill -9
      ClusterIndexIntegrationTest.await("C downed by the majority", () -> upCount(a) == 2 && members(a) == 2
          ? null : "members " + members(a));
      long downed = System.nanoTime();
      for (ClusterIndexIntegrationTest.Node n : List.of(a, b)) {
        ClusterIndexIntegrationTest.awaitHolders(n, names, h -> h.size() >= 2 ? null : "holders " + h);
        ClusterIndexIntegrationTest.awaitStats(n, s -> s.get("peers_live").asInt() == 3
            && s.get("files").asInt() == FILES && s.get("under_replicated").asInt() == 0);
      }
      System.out.printf("crash of node C: downed after %d ms, every file found on 2 peers via A and B after %d ms%n",
          (downed - t0) / 1_000_000, (System.nanoTime() - t0) / 1_000_000);
    } finally {
      c.destroyForcibly();
      for (ActorSystem<?> s : systems) {
        s.terminate();
      }
      for (ActorSystem<?> s : systems) {
        s.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  static long upCount(ClusterIndexIntegrationTest.Node n) {
    return StreamSupport.stream(Cluster.get(n.system()).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up()).count();
  }

  static long members(ClusterIndexIntegrationTest.Node n) {
    return StreamSupport.stream(Cluster.get(n.system()).state().getMembers().spliterator(), false).count();
  }
}
