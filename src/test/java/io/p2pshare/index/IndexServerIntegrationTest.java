package io.p2pshare.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import com.fasterxml.jackson.databind.JsonNode;
import io.p2pshare.config.AppConfig;
import io.p2pshare.config.ConfigLoader;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.FrameSocket;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchRequest;
import io.p2pshare.protocol.Wire;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The index on a real loopback port (ephemeral), driven by plain socket clients. */
class IndexServerIntegrationTest {
  static ActorSystem<IndexGuardian.Command> system;
  static InetSocketAddress at;

  @BeforeAll
  static void start() throws Exception {
    startWith(IndexOnLoopback.EVENT_LOOPS);
  }

  /** {@code controlPort}: the index keys that choose how the control port is served. */
  static void startWith(String controlPort) throws Exception {
    // Long expiry: base clients registered here have nothing listening on their derived port.
    AppConfig cfg = ConfigLoader.parse("{\"replication\":{\"peer_expiry_ms\":600000},\"index\":{"
        + controlPort + "}}", "test");
    system = ActorSystem.create(IndexGuardian.create(new IndexGuardian.Settings("127.0.0.1", 0, cfg, null)),
        "index-it");
    at = bind(system);
  }

  static InetSocketAddress bind(ActorSystem<IndexGuardian.Command> sys) throws Exception {
    ControlServer.Binding b = AskPattern.<IndexGuardian.Command, ControlServer.Binding>ask(sys,
        IndexGuardian.GetBinding::new, Duration.ofSeconds(30), sys.scheduler()).toCompletableFuture().get();
    return ((ControlServer.Bound) b).address();
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  /** A base v1 client: one connection per request, one line out, one line back. */
  static JsonNode oneShot(InetSocketAddress to, String json) throws IOException {
    try (Socket s = new Socket(to.getAddress(), to.getPort())) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write((json + "\n").getBytes(StandardCharsets.UTF_8));
      return Wire.MAPPER.readTree(readLine(s.getInputStream()));
    }
  }

  static byte[] readLine(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      buf.write(b);
    }
    if (b < 0) {
      throw new IOException("closed after " + buf.size() + " bytes");
    }
    return buf.toByteArray();
  }

  static Set<String> keys(JsonNode n) {
    Set<String> out = new TreeSet<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  @Test
  void base_v1_client_registers_1000_files_and_finds_each_one() throws Exception {
    StringBuilder files = new StringBuilder();
    for (int i = 1; i <= 1000; i++) {
      files.append(i > 1 ? "," : "").append(String.format("\"peer7_kb_%04d.txt\":{\"size_bytes\":1024}", i));
    }
    JsonNode reg = oneShot(at, "{\"type\":\"REGISTRY_REQUEST\",\"timestamp\":1732445000123,\"version\":\"1.0\","
        + "\"peer_id\":\"peer7\",\"request_id\":\"reg-1\",\"payload\":{\"files\":{" + files + "}}}");
    assertEquals("REGISTRY_RESPONSE", reg.get("type").asText());
    assertEquals("reg-1", reg.get("request_id").asText());
    assertEquals("ok", reg.at("/payload/status").asText());
    assertEquals(1000, reg.at("/payload/registered_files").asInt());

    for (int i = 1; i <= 1000; i++) {
      String name = String.format("peer7_kb_%04d.txt", i);
      JsonNode r = oneShot(at, "{\"type\":\"SEARCH_REQUEST\",\"timestamp\":1,\"version\":\"1.0\",\"peer_id\":\"peer1\","
          + "\"request_id\":\"q" + i + "\",\"payload\":{\"query\":{\"file_name\":\"" + name + "\"}}}");
      assertEquals(Set.of("type", "timestamp", "version", "peer_id", "request_id", "payload"), keys(r));
      assertEquals("SEARCH_RESPONSE", r.get("type").asText());
      assertEquals("q" + i, r.get("request_id").asText());
      JsonNode p = r.get("payload");
      assertEquals(Set.of("status", "file_name", "results"), keys(p), "exactly the base shape");
      assertEquals("ok", p.get("status").asText());
      assertEquals(name, p.get("file_name").asText());
      assertEquals(1, p.get("results").size());
      JsonNode res = p.get("results").get(0);
      assertEquals(Set.of("peer_id", "peer", "meta"), keys(res));
      assertEquals("peer7", res.get("peer_id").asText());
      assertEquals(Set.of("peer_id", "host", "port"), keys(res.get("peer")));
      assertEquals("127.0.0.1", res.at("/peer/host").asText());
      assertEquals(7106, res.at("/peer/port").asInt(), "peer7 → 7100 + 7 − 1");
      assertEquals(1024, res.at("/meta/size_bytes").asInt());
    }
  }

  @Test
  void persistent_client_sends_1000_requests_on_one_connection() throws Exception {
    try (FrameSocket s = FrameSocket.connect("127.0.0.1", at.getPort(), 30_000, "keeper")) {
      Envelope reg = s.request(MessageType.REGISTRY_REQUEST, Wire.MAPPER.readTree(
          "{\"peer\":{\"peer_id\":\"keeper\",\"host\":\"127.0.0.1\",\"port\":9},\"files\":{\"k.txt\":{\"size_bytes\":3}}}"));
      assertEquals("ok", reg.payload().get("status").asText());
      for (int i = 0; i < 1000; i++) {
        Envelope req = Envelope.of(MessageType.SEARCH_REQUEST, "persist", "id-" + i,
            new SearchRequest(SearchQuery.exact(i % 2 == 0 ? "k.txt" : "missing.txt")));
        s.send(req);
        Envelope r = s.receive();
        while (MessageType.REPLICATION_TASKS.equals(r.type())) { // pushes may come in between
          r = s.receive();
        }
        assertEquals("id-" + i, r.requestId());
        assertEquals(i % 2 == 0 ? 1 : 0, r.payload().get("results").size());
      }
    }
  }

  @Test
  void pipelined_requests_are_answered_in_order() throws Exception {
    try (Socket s = new Socket(at.getAddress(), at.getPort())) {
      s.setSoTimeout(30_000);
      StringBuilder burst = new StringBuilder();
      for (int i = 0; i < 200; i++) {
        String type = i % 50 == 7 ? "STATS_REQUEST" : "SEARCH_REQUEST";
        burst.append("{\"type\":\"").append(type).append("\",\"request_id\":\"p").append(i)
            .append("\",\"payload\":{\"query\":{\"file_name\":\"f").append(i).append("\"}}}\n");
      }
      s.getOutputStream().write(burst.toString().getBytes(StandardCharsets.UTF_8)); // one write
      InputStream in = s.getInputStream();
      for (int i = 0; i < 200; i++) {
        JsonNode r = Wire.MAPPER.readTree(readLine(in));
        assertEquals("p" + i, r.get("request_id").asText());
      }
    }
  }

  @Test
  void garbage_gets_an_error_and_the_next_client_is_served() throws Exception {
    try (Socket s = new Socket(at.getAddress(), at.getPort())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write("this is not json\n".getBytes(StandardCharsets.UTF_8));
      JsonNode r = Wire.MAPPER.readTree(readLine(s.getInputStream()));
      assertEquals("error", r.at("/payload/status").asText());
      assertEquals("BAD_REQUEST", r.at("/payload/code").asText());
      out.write(new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}', '\n'}); // bad UTF-8
      assertEquals("BAD_REQUEST", Wire.MAPPER.readTree(readLine(s.getInputStream())).at("/payload/code").asText());
      out.write("{\"type\":\"SEARCH_REQUEST\",\"request_id\":\"m\",\"payload\":{\"query\":{}}}\n".getBytes(StandardCharsets.UTF_8));
      r = Wire.MAPPER.readTree(readLine(s.getInputStream()));
      assertEquals("SEARCH_RESPONSE", r.get("type").asText());
      assertEquals("m", r.get("request_id").asText());
      assertEquals("BAD_REQUEST", r.at("/payload/code").asText());
      out.write("{\"type\":\"TELEPORT\",\"payload\":{}}\n".getBytes(StandardCharsets.UTF_8));
      assertEquals("UNKNOWN_TYPE", Wire.MAPPER.readTree(readLine(s.getInputStream())).at("/payload/code").asText());
    }
    JsonNode next = oneShot(at, "{\"type\":\"STATS_REQUEST\",\"payload\":{}}");
    assertEquals("ok", next.at("/payload/status").asText());
  }

  @Test
  void a_20_MiB_line_is_refused_and_the_server_stays_up() throws Exception {
    try (Socket s = new Socket(at.getAddress(), at.getPort())) {
      s.setSoTimeout(60_000);
      Thread writer = new Thread(() -> {
        try {
          OutputStream out = s.getOutputStream();
          byte[] chunk = new byte[1 << 20];
          java.util.Arrays.fill(chunk, (byte) 'a');
          for (int i = 0; i < 20; i++) {
            out.write(chunk);
          }
          out.write('\n');
        } catch (IOException expected) {
          // the server may close before the last bytes are written
        }
      });
      writer.setDaemon(true);
      writer.start();
      JsonNode r = Wire.MAPPER.readTree(readLine(s.getInputStream()));
      assertEquals("FRAME_TOO_LARGE", r.at("/payload/code").asText());
      assertEquals("error", r.at("/payload/status").asText());
      // then the server closes the connection
      int b;
      try {
        b = s.getInputStream().read();
      } catch (IOException reset) {
        b = -1;
      }
      assertEquals(-1, b);
    }
    JsonNode next = oneShot(at, "{\"type\":\"SEARCH_REQUEST\",\"payload\":{\"query\":{\"file_name\":\"x\"}}}");
    assertEquals("ok", next.at("/payload/status").asText());
  }

  @Test
  void stats_and_contains_over_the_wire() throws Exception {
    oneShot(at, "{\"type\":\"REGISTRY_REQUEST\",\"peer_id\":\"peer9\",\"payload\":{\"files\":{"
        + "\"zeta_1.txt\":{\"size_bytes\":1},\"zeta_2.txt\":{\"size_bytes\":2}}}}");
    JsonNode c = oneShot(at, "{\"type\":\"SEARCH_REQUEST\",\"payload\":{\"query\":{\"contains\":\"ZETA\",\"limit\":1}}}");
    assertEquals(1, c.at("/payload/results").size());
    assertEquals("zeta_1.txt", c.at("/payload/results/0/file_name").asText());
    assertTrue(c.at("/payload/truncated").asBoolean());
    JsonNode st = oneShot(at, "{\"type\":\"STATS_REQUEST\",\"request_id\":\"s\",\"payload\":{}}");
    assertEquals("STATS_RESPONSE", st.get("type").asText());
    JsonNode p = st.get("payload");
    assertEquals(Set.of("status", "peers_live", "peers_dead", "files", "entries", "under_replicated",
        "tasks", "uptime_ms"), keys(p));
    assertTrue(p.get("peers_live").asInt() >= 1);
    assertTrue(p.get("files").asLong() >= 2);
    assertEquals(Set.of("queued", "running", "done", "failed"), keys(p.get("tasks")));
  }

  @Test
  void base_client_is_probed_on_its_port_and_vanishes_when_it_stops() throws Exception {
    try (ServerSocket basePeer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      // peer1's derived port is base_port: point it at the listening socket.
      AppConfig cfg = ConfigLoader.parse("{\"replication\":{\"heartbeat_interval_ms\":100,\"peer_expiry_ms\":600},"
          + "\"peer\":{\"base_port\":" + basePeer.getLocalPort() + "}}", "test");
      Thread acceptor = new Thread(() -> {
        while (!basePeer.isClosed()) {
          try {
            basePeer.accept().close();
          } catch (IOException e) {
            return;
          }
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      ActorSystem<IndexGuardian.Command> sys = ActorSystem.create(
          IndexGuardian.create(new IndexGuardian.Settings("127.0.0.1", 0, cfg, null)), "index-probe");
      try {
        InetSocketAddress a = bind(sys);
        oneShot(a, "{\"type\":\"REGISTRY_REQUEST\",\"peer_id\":\"peer1\",\"payload\":{\"files\":{\"p.txt\":{\"size_bytes\":1}}}}");
        String search = "{\"type\":\"SEARCH_REQUEST\",\"payload\":{\"query\":{\"file_name\":\"p.txt\"}}}";
        // Five expiry periods with no heartbeat at all: the probes keep it findable.
        long until = System.nanoTime() + Duration.ofMillis(3000).toNanos();
        while (System.nanoTime() < until) {
          assertEquals(1, oneShot(a, search).at("/payload/results").size());
          Thread.sleep(100);
        }
        basePeer.close();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (oneShot(a, search).at("/payload/results").size() > 0) {
          assertTrue(System.nanoTime() < deadline, "still found 30 s after its port closed");
          Thread.sleep(100);
        }
      } finally {
        sys.terminate();
      }
    }
  }

  @Test
  void pipelined_registration_then_search_sees_the_files() throws Exception {
    try (Socket s = new Socket(at.getAddress(), at.getPort())) {
      s.setSoTimeout(30_000);
      String burst = "{\"type\":\"REGISTRY_REQUEST\",\"peer_id\":\"peer11\",\"request_id\":\"1\",\"payload\":{\"files\":{\"rw.txt\":{\"size_bytes\":1}}}}\n"
          + "{\"type\":\"SEARCH_REQUEST\",\"request_id\":\"2\",\"payload\":{\"query\":{\"file_name\":\"rw.txt\"}}}\n";
      s.getOutputStream().write(burst.getBytes(StandardCharsets.UTF_8));
      List<JsonNode> replies = new ArrayList<>();
      replies.add(Wire.MAPPER.readTree(readLine(s.getInputStream())));
      replies.add(Wire.MAPPER.readTree(readLine(s.getInputStream())));
      assertEquals("REGISTRY_RESPONSE", replies.get(0).get("type").asText());
      assertEquals(1, replies.get(1).at("/payload/results").size(), "read your own registration");
      Iterator<JsonNode> it = replies.get(1).at("/payload/results").elements();
      assertFalse(it.next().has("file_name"));
    }
  }

  @Test
  void replication_tasks_are_pushed_on_the_control_connection_and_reported() throws Exception {
    AppConfig cfg = ConfigLoader.parse("{\"replication\":{\"peer_expiry_ms\":600000}}", "test");
    ActorSystem<IndexGuardian.Command> sys = ActorSystem.create(
        IndexGuardian.create(new IndexGuardian.Settings("127.0.0.1", 0, cfg, null)), "index-push");
    try {
      InetSocketAddress a = bind(sys);
      String sha = "cd".repeat(32);
      try (FrameSocket holder = FrameSocket.connect("127.0.0.1", a.getPort(), 30_000, "peerA");
           FrameSocket target = FrameSocket.connect("127.0.0.1", a.getPort(), 30_000, "peerB")) {
        Envelope r1 = holder.request(MessageType.REGISTRY_REQUEST, Wire.MAPPER.readTree(
            "{\"peer\":{\"peer_id\":\"peerA\",\"host\":\"127.0.0.1\",\"port\":7001},"
                + "\"files\":{\"one.bin\":{\"size_bytes\":5,\"sha256\":\"" + sha + "\"}}}"));
        assertEquals("ok", r1.payload().get("status").asText());
        Envelope r2 = target.request(MessageType.REGISTRY_REQUEST, Wire.MAPPER.readTree(
            "{\"peer\":{\"peer_id\":\"peerB\",\"host\":\"127.0.0.1\",\"port\":7002},\"files\":{}}"));
        String token = r2.payload().get("token").asText();
        Envelope hb = target.request(MessageType.HEARTBEAT, Map.of("token", token)); // now it takes tasks
        assertEquals("ok", hb.payload().get("status").asText());
        // No request outstanding: the next frame on B's connection is the server's push.
        Envelope push = target.receive();
        assertEquals(MessageType.REPLICATION_TASKS, push.type());
        JsonNode task = push.payload().at("/replication_tasks/0");
        assertEquals("one.bin", task.get("file_name").asText());
        assertEquals(sha, task.get("sha256").asText());
        assertEquals(5, task.get("size_bytes").asInt());
        assertEquals("peerA", task.at("/source/peer_id").asText());
        assertEquals(7001, task.at("/source/port").asInt());
        Envelope ack = target.request(MessageType.REPLICATION_REPORT, Wire.MAPPER.readTree(
            "{\"token\":\"" + token + "\",\"task_id\":\"" + task.get("task_id").asText()
                + "\",\"file_name\":\"one.bin\",\"status\":\"done\"}"));
        assertEquals("REPLICATION_REPORT_RESPONSE", ack.type());
        assertEquals("ok", ack.payload().get("status").asText());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
          JsonNode st = oneShot(a, "{\"type\":\"STATS_REQUEST\",\"payload\":{}}").get("payload");
          if (st.at("/tasks/done").asInt() == 1) {
            assertEquals(0, st.at("/tasks/running").asInt());
            break;
          }
          assertTrue(System.nanoTime() < deadline, "done never counted: " + st);
          Thread.sleep(50);
        }
      }
    } finally {
      sys.terminate();
    }
  }

  @Test
  void connections_over_the_limit_get_BUSY_and_the_slot_frees_up() throws Exception {
    AppConfig cfg = ConfigLoader.parse("{\"index\":{\"max_connections\":1}}", "test");
    ActorSystem<IndexGuardian.Command> sys = ActorSystem.create(
        IndexGuardian.create(new IndexGuardian.Settings("127.0.0.1", 0, cfg, null)), "index-busy");
    try {
      InetSocketAddress a = bind(sys);
      String stats = "{\"type\":\"STATS_REQUEST\",\"payload\":{}}";
      try (Socket first = new Socket(a.getAddress(), a.getPort())) {
        first.setSoTimeout(30_000);
        first.getOutputStream().write((stats + "\n").getBytes(StandardCharsets.UTF_8));
        assertEquals("ok", Wire.MAPPER.readTree(readLine(first.getInputStream())).at("/payload/status").asText());
        assertEquals("BUSY", oneShot(a, stats).at("/payload/code").asText());
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!"ok".equals(oneShot(a, stats).at("/payload/status").asText())) {
        assertTrue(System.nanoTime() < deadline, "slot never freed");
        Thread.sleep(50);
      }
    } finally {
      sys.terminate();
    }
  }
}
