package io.p2pshare.index;

import static io.p2pshare.index.IndexServerIntegrationTest.readLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import com.fasterxml.jackson.databind.JsonNode;
import io.p2pshare.metrics.Metrics;
import io.p2pshare.protocol.Wire;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Per-address connection cap on the index port: BUSY then close, other addresses unaffected. */
class IndexConnectionCapsIntegrationTest {
  static final String STATS = IndexOnLoopback.STATS;
  static ActorSystem<IndexGuardian.Command> system;
  static InetSocketAddress at;
  static Metrics metrics;

  @BeforeAll
  static void start() throws Exception {
    startWith(IndexOnLoopback.EVENT_LOOPS);
  }

  static void startWith(String controlPort) throws Exception {
    IndexOnLoopback index = IndexOnLoopback.start("{\"index\":{\"max_connections\":100,"
        + "\"max_connections_per_address\":2," + controlPort + "}}", "caps");
    system = index.system();
    at = index.at();
    metrics = index.metrics();
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  /** A connection from {@code localIp} (any 127/8 address is loopback on Linux). */
  static Socket from(String localIp) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(localIp, 0));
    s.connect(at, 30_000);
    s.setSoTimeout(30_000);
    return s;
  }

  static JsonNode ask(Socket s) throws IOException {
    s.getOutputStream().write((STATS + "\n").getBytes(StandardCharsets.UTF_8));
    return Wire.MAPPER.readTree(readLine(s.getInputStream()));
  }

  @Test
  void the_third_connection_from_one_address_gets_BUSY_while_another_address_is_served() throws Exception {
    try (Socket a1 = from("127.0.0.1"); Socket a2 = from("127.0.0.1")) {
      assertEquals("ok", ask(a1).at("/payload/status").asText());
      assertEquals("ok", ask(a2).at("/payload/status").asText());
      try (Socket a3 = from("127.0.0.1")) {
        JsonNode busy = Wire.MAPPER.readTree(readLine(a3.getInputStream()));
        assertEquals("BUSY", busy.at("/payload/code").asText());
        assertTrue(busy.at("/payload/error").asText().contains("your address"), busy.toString());
        assertEquals(-1, a3.getInputStream().read(), "closed after the BUSY frame");
      }
      assertEquals(1, metrics.refusals(Metrics.Refusal.CONNECTIONS_PER_ADDRESS));
      try (Socket b1 = from("127.0.0.2")) {
        assertEquals("ok", ask(b1).at("/payload/status").asText(), "another address has its own share");
      }
      assertEquals("ok", ask(a1).at("/payload/status").asText(), "held connections keep working");
    }
    // Both slots of 127.0.0.1 come back once its connections close.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try (Socket c1 = from("127.0.0.1"); Socket c2 = from("127.0.0.1")) {
        if ("ok".equals(ask(c1).at("/payload/status").asText())
            && "ok".equals(ask(c2).at("/payload/status").asText())) {
          break;
        }
      } catch (IOException refusedAndClosed) {
        // a slot not freed yet: the server sent BUSY and hung up; try again
      }
      assertTrue(System.nanoTime() < deadline, "slots never freed");
      Thread.sleep(50);
    }
    assertEquals(0, metrics.refusals(Metrics.Refusal.CONNECTIONS_TOTAL));
  }
}
