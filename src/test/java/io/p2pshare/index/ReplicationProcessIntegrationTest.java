package io.p2pshare.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import com.fasterxml.jackson.databind.JsonNode;
import io.p2pshare.config.AppConfig;
import io.p2pshare.config.ConfigLoader;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.FrameSocket;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchRequest;
import io.p2pshare.testing.JavaProcess;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5 end to end: the index (in-process) and three real peer processes on loopback; a
 * dataset on peer1 ends up on two peers each (checked through stats and by hashing replicated/),
 * and after a kill -9 of a holder every file is back on two live holders once the grace ends.
 */
class ReplicationProcessIntegrationTest {
  static final int FILES = 24;

  @Test
  void every_file_on_two_peers_and_restored_after_a_kill(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    Path shared = Files.createDirectories(data.resolve("peer1").resolve("shared"));
    Map<String, String> sha = new TreeMap<>();
    Random rnd = new Random(5);
    for (int i = 1; i <= FILES; i++) {
      byte[] bytes = new byte[i % 4 == 0 ? 300_000 : 1024];
      rnd.nextBytes(bytes);
      String name = String.format("peer1_kb_%04d.txt", i);
      Files.write(shared.resolve(name), bytes);
      sha.put(name, hex(bytes));
    }
    String json = "{\"replication\":{\"heartbeat_interval_ms\":500,\"peer_expiry_ms\":2000,"
        + "\"rereplication_grace_ms\":2000,\"max_tasks_per_peer\":4}}";
    Path cfgFile = tmp.resolve("config.json");
    Files.writeString(cfgFile, json);
    AppConfig cfg = ConfigLoader.parse(json, "test");
    ActorSystem<IndexGuardian.Command> sys = ActorSystem.create(
        IndexGuardian.create(new IndexGuardian.Settings("127.0.0.1", 0, cfg, null)), "index-repl");
    List<Process> peers = new ArrayList<>();
    try {
      InetSocketAddress at = IndexServerIntegrationTest.bind(sys);
      for (String id : List.of("peer1", "peer2", "peer3")) {
        peers.add(JavaProcess.start(tmp.resolve(id + ".out"), tmp.resolve(id + ".err"), List.of("-Xmx256m"),
            "peer", "--peer", id, "--headless", "--config", cfgFile.toString(), "--data-dir", data.toString(),
            "--index", "127.0.0.1:" + at.getPort(), "--port", "0"));
      }
      awaitStats(at, s -> s.get("peers_live").asInt() == 3 && s.get("files").asInt() == FILES
          && s.get("under_replicated").asInt() == 0, tmp);
      // Every file's replica is byte-identical to the original.
      int replicas = 0;
      for (String id : List.of("peer2", "peer3")) {
        Path dir = data.resolve(id).resolve("replicated");
        if (Files.isDirectory(dir)) {
          try (var files = Files.list(dir)) {
            for (Path p : files.filter(f -> !f.getFileName().toString().contains(".part")).toList()) {
              assertEquals(sha.get(p.getFileName().toString()), hex(Files.readAllBytes(p)), p.toString());
              replicas++;
            }
          }
        }
      }
      assertEquals(FILES, replicas, "one replica of each file besides peer1's original");

      peers.get(1).destroyForcibly(); // kill -9 peer2
      awaitStats(at, s -> s.get("peers_live").asInt() == 2 && s.get("peers_dead").asInt() == 0
          && s.get("under_replicated").asInt() == 0, tmp);
      try (FrameSocket s = FrameSocket.connect("127.0.0.1", at.getPort(), 30_000, "check")) {
        for (String name : sha.keySet()) {
          Envelope r = s.request(MessageType.SEARCH_REQUEST, new SearchRequest(SearchQuery.exact(name)));
          assertEquals(2, r.payload().get("results").size(), name + " on two live holders");
          for (JsonNode h : r.payload().get("results")) {
            assertTrue(!h.get("peer_id").asText().equals("peer2"), name);
          }
        }
      }
    } finally {
      for (Process p : peers) {
        p.destroyForcibly();
      }
      sys.terminate();
    }
  }

  private static void awaitStats(InetSocketAddress at, Predicate<JsonNode> done, Path logs) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      try (FrameSocket s = FrameSocket.connect("127.0.0.1", at.getPort(), 10_000, "stats")) {
        last = s.request(MessageType.STATS_REQUEST, Map.of()).payload();
      }
      if (done.test(last)) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("stats never got there: " + last + "; peer logs in " + logs);
  }

  private static String hex(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
