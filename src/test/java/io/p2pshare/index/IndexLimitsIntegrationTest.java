package io.p2pshare.index;

import static io.p2pshare.index.IndexServerIntegrationTest.oneShot;
import static io.p2pshare.index.IndexServerIntegrationTest.readLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import com.fasterxml.jackson.databind.JsonNode;
import io.p2pshare.metrics.Metrics;
import io.p2pshare.protocol.Wire;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The index's limits on a real loopback port: header deadline (slow-loris), registration caps
 * (file count, names through FileNames, all or nothing), the search limit cap; each refusal
 * counted in the metrics.
 */
class IndexLimitsIntegrationTest {
  static final String STATS = IndexOnLoopback.STATS;
  static ActorSystem<IndexGuardian.Command> system;
  static InetSocketAddress at;
  static Metrics metrics;

  @BeforeAll
  static void start() throws Exception {
    startWith(IndexOnLoopback.EVENT_LOOPS);
  }

  static void startWith(String controlPort) throws Exception {
    IndexOnLoopback index = IndexOnLoopback.start("{\"replication\":{\"peer_expiry_ms\":600000},"
        + "\"index\":{\"header_deadline_ms\":1000,\"max_files_per_registration\":1200," + controlPort + "}}",
        "limits");
    system = index.system();
    at = index.at();
    metrics = index.metrics();
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  static String register(String peer, String filesJson) {
    return "{\"type\":\"REGISTRY_REQUEST\",\"peer_id\":\"" + peer + "\",\"request_id\":\"r-" + peer
        + "\",\"payload\":{\"files\":{" + filesJson + "}}}";
  }

  static String search(String name) {
    return "{\"type\":\"SEARCH_REQUEST\",\"peer_id\":\"c\",\"payload\":{\"query\":{\"file_name\":\""
        + name + "\"}}}";
  }

  static void awaitCount(Metrics.Refusal r, long atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (metrics.refusals(r) < atLeast) {
      assertTrue(System.nanoTime() < deadline, r + " never counted");
      Thread.sleep(20);
    }
  }

  @Test
  void a_client_trickling_one_byte_at_a_time_is_cut_and_others_are_served() throws Exception {
    long before = metrics.refusals(Metrics.Refusal.HEADER_DEADLINE);
    // A valid request padded so that, at one byte per 200 ms, it would take over a minute.
    byte[] slow = (STATS.substring(0, STATS.length() - 1) + " ".repeat(300) + "}\n")
        .getBytes(StandardCharsets.UTF_8);
    try (Socket loris = new Socket(at.getAddress(), at.getPort())) {
      loris.setSoTimeout(30_000);
      OutputStream out = loris.getOutputStream();
      CompletableFuture<Void> trickle = CompletableFuture.runAsync(() -> {
        try {
          for (byte b : slow) {
            out.write(b);
            out.flush();
            Thread.sleep(200);
          }
        } catch (IOException | InterruptedException cut) {
          // the server hung up: expected
        }
      });
      // Meanwhile another client is answered at once, many times.
      for (int i = 0; i < 5; i++) {
        assertEquals("ok", oneShot(at, STATS).at("/payload/status").asText());
      }
      InputStream in = loris.getInputStream();
      JsonNode reply = Wire.MAPPER.readTree(readLine(in));
      assertEquals("BAD_REQUEST", reply.at("/payload/code").asText());
      assertTrue(reply.at("/payload/error").asText().contains("header deadline"), reply.toString());
      assertEquals(-1, in.read(), "then the connection is closed");
      trickle.cancel(true);
    }
    assertEquals(before + 1, metrics.refusals(Metrics.Refusal.HEADER_DEADLINE));
    assertEquals("ok", oneShot(at, STATS).at("/payload/status").asText(), "the server is still up");
  }

  @Test
  void a_long_line_arriving_at_a_fair_rate_outlives_the_deadline() throws Exception {
    // 256 KiB in 16 KiB steps every 100 ms: about 1.6 s for a 1 s deadline, but each 64 KiB
    // received buys a second more.
    byte[] line = (STATS.substring(0, STATS.length() - 1) + " ".repeat(256 * 1024) + "}\n")
        .getBytes(StandardCharsets.UTF_8);
    try (Socket s = new Socket(at.getAddress(), at.getPort())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      for (int off = 0; off < line.length; off += 16 * 1024) {
        out.write(line, off, Math.min(16 * 1024, line.length - off));
        out.flush();
        Thread.sleep(100);
      }
      assertEquals("ok", Wire.MAPPER.readTree(readLine(s.getInputStream())).at("/payload/status").asText());
    }
  }

  @Test
  void an_idle_persistent_connection_between_requests_is_not_cut_by_the_header_deadline() throws Exception {
    try (Socket s = new Socket(at.getAddress(), at.getPort())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write((STATS + "\n").getBytes(StandardCharsets.UTF_8));
      assertEquals("ok", Wire.MAPPER.readTree(readLine(s.getInputStream())).at("/payload/status").asText());
      Thread.sleep(2500); // > 2 × the deadline with no line started: only the idle timeout applies
      out.write((STATS + "\n").getBytes(StandardCharsets.UTF_8));
      assertEquals("ok", Wire.MAPPER.readTree(readLine(s.getInputStream())).at("/payload/status").asText());
    }
  }

  @Test
  void a_registration_with_too_many_files_is_refused_whole() throws Exception {
    long before = metrics.refusals(Metrics.Refusal.TOO_MANY_FILES);
    StringBuilder files = new StringBuilder();
    for (int i = 1; i <= 1201; i++) {
      files.append(i > 1 ? "," : "").append(String.format("\"many_%04d.txt\":{\"size_bytes\":1}", i));
    }
    JsonNode r = oneShot(at, register("peer41", files.toString()));
    assertEquals("error", r.at("/payload/status").asText());
    assertEquals("BAD_REQUEST", r.at("/payload/code").asText());
    assertTrue(r.at("/payload/error").asText().startsWith("too many files in one registration: 1201 (limit 1200)"),
        r.toString());
    assertEquals(0, oneShot(at, search("many_0001.txt")).at("/payload/results").size(), "nothing applied");
    assertEquals(before + 1, metrics.refusals(Metrics.Refusal.TOO_MANY_FILES));
  }

  @Test
  void a_registration_with_one_bad_name_is_refused_whole_and_the_index_stays_as_it_was() throws Exception {
    assertEquals("ok", oneShot(at, register("peer42", "\"keep.txt\":{\"size_bytes\":1}")).at("/payload/status").asText());
    String[] bad = {"../evil.txt", "a/b.txt", "..\\\\evil.txt", "C:evil", "nul\\u0000.txt", "CON.txt",
        "x".repeat(256), "\\u00e9".repeat(128), ".."};
    for (String name : bad) {
      long before = metrics.refusals(Metrics.Refusal.BAD_REQUEST);
      // A full registration that would replace keep.txt with good.txt plus one bad name.
      JsonNode r = oneShot(at, register("peer42", "\"good.txt\":{\"size_bytes\":1},\"" + name + "\":{\"size_bytes\":1}"));
      assertEquals("BAD_REQUEST", r.at("/payload/code").asText(), name);
      assertTrue(r.at("/payload/error").asText().startsWith("invalid file name in registration"), r.toString());
      assertEquals(before + 1, metrics.refusals(Metrics.Refusal.BAD_REQUEST), name);
      assertEquals(1, oneShot(at, search("keep.txt")).at("/payload/results").size(), "old set kept: " + name);
      assertEquals(0, oneShot(at, search("good.txt")).at("/payload/results").size(), "nothing applied: " + name);
    }
    // 255 bytes of UTF-8 is the longest name accepted (127 × 2-byte é + 1).
    String longest = "\\u00e9".repeat(127) + "a";
    assertEquals("ok", oneShot(at, register("peer42", "\"" + longest + "\":{\"size_bytes\":1}")).at("/payload/status").asText());
    assertEquals(1, oneShot(at, search(longest)).at("/payload/results").size());
  }

  @Test
  void a_wrong_token_is_a_counted_refusal() throws Exception {
    JsonNode reg = oneShot(at, register("peer44", "\"mine.txt\":{\"size_bytes\":1}"));
    assertEquals("ok", reg.at("/payload/status").asText());
    long before = metrics.refusals(Metrics.Refusal.UNAUTHORIZED);
    JsonNode hb = oneShot(at, "{\"type\":\"HEARTBEAT\",\"peer_id\":\"peer44\",\"payload\":{\"token\":\""
        + "0".repeat(32) + "\"}}");
    assertEquals("UNAUTHORIZED", hb.at("/payload/code").asText());
    assertEquals(before + 1, metrics.refusals(Metrics.Refusal.UNAUTHORIZED));
  }

  @Test
  void the_search_limit_is_capped_at_1000() throws Exception {
    StringBuilder files = new StringBuilder();
    for (int i = 1; i <= 1100; i++) {
      files.append(i > 1 ? "," : "").append(String.format("\"capped_%04d.bin\":{\"size_bytes\":1}", i));
    }
    assertEquals("ok", oneShot(at, register("peer43", files.toString())).at("/payload/status").asText());
    JsonNode r = oneShot(at, "{\"type\":\"SEARCH_REQUEST\",\"peer_id\":\"c\",\"payload\":{\"query\":"
        + "{\"contains\":\"capped_\",\"limit\":1000000}}}");
    assertEquals("ok", r.at("/payload/status").asText());
    assertEquals(1000, r.at("/payload/results").size());
    assertTrue(r.at("/payload/truncated").asBoolean());
  }
}
