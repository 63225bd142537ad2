package io.p2pshare.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.fasterxml.jackson.databind.JsonNode;
import io.p2pshare.config.AppConfig;
import io.p2pshare.config.ConfigLoader;
import io.p2pshare.config.PeerSettings;
import io.p2pshare.peer.PeerGuardian;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.FrameSocket;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchRequest;
import io.p2pshare.transfer.TransferServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 end to end on loopback: three index nodes (one ActorSystem each, Akka remoting and
 * control ports ephemeral) as one cluster, three real peers (each its own ActorSystem, failover
 * lists). Files registered through node A are found through B and C and replicated to RF = 2;
 * node B (the oldest: it runs the coordinator singleton and some shards) leaves; A and C still
 * find every file, and when a peer then leaves, the singleton (now elsewhere) restores RF = 2.
 */
class ClusterIndexIntegrationTest {
  static final int FILES = 12;
  static final String JSON = "{\"replication\":{\"heartbeat_interval_ms\":300,\"peer_expiry_ms\":1500,"
      + "\"rereplication_grace_ms\":1500,\"max_tasks_per_peer\":4},\"index\":{\"shards\":8}}";

  record Node(ActorSystem<IndexGuardian.Command> system, InetSocketAddress control, int akkaPort) {}

  static Node startNode(AppConfig cfg, List<String> seeds) throws Exception {
    return startNode(cfg, seeds, "3s");
  }

  static Node startNode(AppConfig cfg, List<String> seeds, String stableAfter) throws Exception {
    ClusterSettings cs = new ClusterSettings("127.0.0.1", 0, seeds, stableAfter);
    ActorSystem<IndexGuardian.Command> sys = ActorSystem.create(ClusterIndexGuardian.create(
        new IndexGuardian.Settings("127.0.0.1", 0, cfg, null)), ClusterSettings.SYSTEM_NAME, cs.akkaConfig());
    InetSocketAddress at = IndexServerIntegrationTest.bind(sys);
    int akkaPort = Cluster.get(sys).selfMember().address().getPort().get();
    return new Node(sys, at, akkaPort);
  }

  @Test
  void three_nodes_search_anywhere_survive_a_node_and_keep_rf2(@TempDir Path tmp) throws Exception {
    AppConfig cfg = ConfigLoader.parse(JSON, "test");
    List<ActorSystem<?>> systems = new ArrayList<>();
    Map<String, ActorSystem<PeerGuardian.Command>> peers = new java.util.LinkedHashMap<>();
    try {
      // B first: the oldest node hosts the replication coordinator singleton.
      Node b = startNode(cfg, List.of());
      systems.add(b.system());
      List<String> seed = List.of("127.0.0.1:" + b.akkaPort());
      Node a = startNode(cfg, seed);
      systems.add(a.system());
      Node c = startNode(cfg, seed);
      systems.add(c.system());
      await("3 members up", () -> {
        for (Node n : List.of(a, b, c)) {
          long up = StreamSupport.stream(Cluster.get(n.system()).state().getMembers().spliterator(), false)
              .filter(m -> m.status() == MemberStatus.up()).count();
          if (up != 3) {
            return "node " + n.akkaPort() + " sees " + up + " up";
          }
        }
        return null;
      });

      Path data = tmp.resolve("data");
      Set<String> names = new TreeSet<>();
      Path shared1 = Files.createDirectories(data.resolve("peer1").resolve("shared"));
      Random rnd = new Random(10);
      for (int i = 1; i <= FILES; i++) {
        byte[] bytes = new byte[2048];
        rnd.nextBytes(bytes);
        String name = String.format("peer1_kb_%04d.txt", i);
        Files.write(shared1.resolve(name), bytes);
        names.add(name);
      }
      // peer1 registers on A; peer2 on B (fails over to A); peer3 on C.
      peers.put("peer1", startPeer("peer1", data, cfg, a, b, c));
      peers.put("peer2", startPeer("peer2", data, cfg, b, a, c));
      peers.put("peer3", startPeer("peer3", data, cfg, c, a, b));

      // Registered on A, found on B and C, each file on two live peers (RF = 2).
      for (Node n : List.of(a, b, c)) {
        awaitHolders(n, names, holders -> holders.size() >= 2 ? null : "holders " + holders);
      }
      // Every node's stats cover the whole cluster.
      for (Node n : List.of(a, b, c)) {
        awaitStats(n, s -> s.get("peers_live").asInt() == 3 && s.get("files").asInt() == FILES
            && s.get("under_replicated").asInt() == 0 && s.get("entries").asInt() >= 2 * FILES);
      }

      // B leaves: its shards restart empty on A or C, its peers fail over, sessions re-register.
      long t0 = System.nanoTime();
      b.system().terminate();
      b.system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      for (Node n : List.of(a, c)) {
        awaitHolders(n, names, holders -> holders.size() >= 2 ? null : "holders " + holders);
      }
      System.out.printf("node B left: every file found on 2 peers via A and C after %d ms%n",
          (System.nanoTime() - t0) / 1_000_000);

      // peer3 leaves too: the coordinator, now a singleton on A or C, copies its files elsewhere.
      ActorSystem<PeerGuardian.Command> p3 = peers.remove("peer3");
      p3.terminate();
      p3.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      for (Node n : List.of(a, c)) {
        awaitHolders(n, names, holders -> holders.size() >= 2 && !holders.contains("peer3") ? null
            : "holders " + holders);
      }
      for (Node n : List.of(a, c)) {
        awaitStats(n, s -> s.get("peers_live").asInt() == 2 && s.get("peers_dead").asInt() == 0
            && s.get("files").asInt() == FILES && s.get("under_replicated").asInt() == 0);
      }
      assertTrue(Files.isDirectory(data.resolve("peer2").resolve("replicated")));
    } finally {
      for (ActorSystem<?> p : peers.values()) {
        p.terminate();
      }
      for (ActorSystem<?> s : systems) {
        s.terminate();
      }
      for (ActorSystem<?> s : systems) {
        s.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  static ActorSystem<PeerGuardian.Command> startPeer(String id, Path data, AppConfig cfg, Node... index)
      throws Exception {
    StringBuilder list = new StringBuilder();
    for (Node n : index) {
      list.append(list.isEmpty() ? "" : ",").append("127.0.0.1:").append(n.control().getPort());
    }
    PeerSettings s = PeerSettings.resolve(cfg, new ConfigLoader(Map.of()),
        new PeerSettings.Flags(id, 0, list.toString(), data, null, null)).createDirs();
    assertEquals(index.length - 1, s.indexFallbacks().size());
    CompletableFuture<InetSocketAddress> started = new CompletableFuture<>();
    ActorSystem<PeerGuardian.Command> sys = ActorSystem.create(PeerGuardian.create(s,
        (ctx, settings, files) -> TransferServer.start(ctx, settings, files), Duration.ofMillis(500), started),
        "peer-" + id);
    started.get(30, TimeUnit.SECONDS);
    return sys;
  }

  /** Polls exact searches for every name on {@code node} until {@code ok} accepts each holder set. */
  static void awaitHolders(Node node, Set<String> names, Function<Set<String>, String> ok) throws Exception {
    await("holders via node " + node.akkaPort(), () -> {
      try (FrameSocket s = FrameSocket.connect("127.0.0.1", node.control().getPort(), 20_000, "check")) {
        for (String name : names) {
          Envelope r = s.request(MessageType.SEARCH_REQUEST, new SearchRequest(SearchQuery.exact(name)));
          Set<String> holders = new HashSet<>();
          for (JsonNode h : r.payload().path("results")) {
            holders.add(h.get("peer_id").asText());
          }
          String problem = ok.apply(holders);
          if (problem != null) {
            return name + ": " + problem + " " + r.payload();
          }
        }
        return null;
      }
    });
  }

  static void awaitStats(Node node, java.util.function.Predicate<JsonNode> ok) throws Exception {
    await("stats via node " + node.akkaPort(), () -> {
      try (FrameSocket s = FrameSocket.connect("127.0.0.1", node.control().getPort(), 20_000, "stats")) {
        JsonNode st = s.request(MessageType.STATS_REQUEST, Map.of()).payload();
        // An error reply (e.g. BUSY while a shard is handed off) is "not yet", like a miss.
        return "ok".equals(st.path("status").asText()) && ok.test(st) ? null : st.toString();
      }
    });
  }

  interface Check {
    String problem() throws Exception;
  }

  static void await(String what, Check check) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = check.problem();
      } catch (java.io.IOException e) {
        last = e.toString();
      }
      if (last == null) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(what + " never happened: " + last);
  }
}
