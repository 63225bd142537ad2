package io.p2pshare.index;

import static io.p2pshare.index.ClusterIndexIntegrationTest.awaitStats;
import static io.p2pshare.index.ClusterIndexIntegrationTest.startNode;
import static io.p2pshare.index.ClusterIndexIntegrationTest.startPeer;

import akka.actor.typed.ActorSystem;
import io.p2pshare.config.AppConfig;
import io.p2pshare.config.ConfigLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pub/sub between index nodes delivers nothing to a node it does not know yet. A peer with no
 * files (so no shard entry carries it anywhere) registers on node A before node B exists; B must
 * still count it live, from A's periodic digest. Without the digest B never learns of it: the
 * race CI once hit with three nodes when a peer registered right after the cluster formed.
 */
class ClusterLateJoinIntegrationTest {

  @Test
  void a_node_that_joins_later_learns_the_live_peers_it_never_heard_of(@TempDir Path tmp) throws Exception {
    AppConfig cfg = ConfigLoader.parse(ClusterIndexIntegrationTest.JSON, "test");
    List<ActorSystem<?>> systems = new ArrayList<>();
    try {
      ClusterIndexIntegrationTest.Node a = startNode(cfg, List.of());
      systems.add(a.system());
      systems.add(startPeer("lonely", tmp.resolve("data"), cfg, a));
      awaitStats(a, s -> s.get("peers_live").asInt() == 1 && s.get("files").asInt() == 0);

      ClusterIndexIntegrationTest.Node b = startNode(cfg, List.of("127.0.0.1:" + a.akkaPort()));
      systems.add(b.system());
      awaitStats(b, s -> s.get("peers_live").asInt() == 1 && s.get("peers_dead").asInt() == 0);
    } finally {
      for (ActorSystem<?> s : systems) {
        s.terminate();
      }
      for (ActorSystem<?> s : systems) {
        s.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }
}
