package io.p2pshare.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import com.fasterxml.jackson.databind.JsonNode;
import io.p2pshare.bench.SearchLoad;
import io.p2pshare.config.AppConfig;
import io.p2pshare.config.ConfigLoader;
import io.p2pshare.config.Endpoint;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.FrameSocket;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.protocol.RegistryRequest;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchRequest;
import io.p2pshare.protocol.Wire;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Issue 9's load fixture: the real index in this JVM (so its heap can be measured), one
 * registered peer with {@link #FILES} files, many silent connections, and busy exact-name search
 * clients driven by the benchmark's selector-based {@link SearchLoad}.
 */
final class IdleLoad implements AutoCloseable {
  static final int FILES = 1000;
  static final String PEER = "load1";
  /** Silent connections must outlive the test: idle timeout = 3 × heartbeat (here 3 min). */
  static final String BASE_CONFIG = "\"replication\":{\"heartbeat_interval_ms\":60000,\"peer_expiry_ms\":600000}";

  final ActorSystem<IndexGuardian.Command> system;
  final InetSocketAddress at;
  final List<String> names = new ArrayList<>();
  /** Where the registered peer "listens", so the index's liveness probes succeed. */
  private final ServerSocket fakePeerPort;
  private final List<Socket> idle = new ArrayList<>();

  /** {@code indexJson}: the body of the config's {@code index} section (limits). */
  IdleLoad(String indexJson) throws Exception {
    AppConfig cfg = ConfigLoader.parse("{" + BASE_CONFIG + ",\"index\":{" + indexJson + "}}", "load-test");
    system = ActorSystem.create(IndexGuardian.create(new IndexGuardian.Settings("127.0.0.1", 0, cfg, null)),
        "index-load");
    at = IndexServerIntegrationTest.bind(system);
    fakePeerPort = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    Map<String, FileMeta> files = new LinkedHashMap<>();
    for (int i = 1; i <= FILES; i++) {
      String n = String.format("load1_kb_%04d.txt", i);
      names.add(n);
      files.put(n, new FileMeta(1024L, String.format("%064x", i)));
    }
    try (FrameSocket s = FrameSocket.connect("127.0.0.1", at.getPort(), 30_000, PEER)) {
      Envelope r = s.request(MessageType.REGISTRY_REQUEST, new RegistryRequest(
          new PeerAddress(PEER, "127.0.0.1", fakePeerPort.getLocalPort()), files, null, null));
      assertEquals("ok", r.payload().get("status").asText(), r.payload().toString());
    }
  }

  SearchLoad.Outcome busy(int clients, long perClient, long seed) throws IOException {
    return new SearchLoad(new Endpoint("127.0.0.1", at.getPort()), names, 30_000).run(clients, perClient, seed);
  }

  /** Opens {@code n} connections that send nothing. */
  void openIdle(int n) throws IOException {
    for (int i = 0; i < n; i++) {
      Socket s = new Socket();
      s.connect(at, 30_000);
      s.setSoTimeout(30_000);
      idle.add(s);
    }
  }

  int idleCount() {
    return idle.size();
  }

  /** What the silent connections saw: served (answered a STATS request now) or refused BUSY. */
  record IdleOutcome(int served, int busy) {}

  /**
   * Asks every silent connection for STATS. One the server refused has its BUSY line waiting
   * already (sent at accept, long before now); any other outcome (no answer, a reset, another
   * error) fails the test: a connection must be served or refused cleanly.
   */
  IdleOutcome checkIdle() throws IOException {
    int served = 0;
    int busy = 0;
    byte[] stats = "{\"type\":\"STATS_REQUEST\",\"payload\":{}}\n".getBytes(StandardCharsets.UTF_8);
    for (Socket s : idle) {
      InputStream in = s.getInputStream();
      if (in.available() > 0) {
        JsonNode n = Wire.MAPPER.readTree(readLine(in));
        assertEquals("BUSY", n.at("/payload/code").asText(), "a refusal says BUSY: " + n);
        busy++;
        continue;
      }
      s.getOutputStream().write(stats);
      JsonNode n = Wire.MAPPER.readTree(readLine(in));
      assertEquals("ok", n.at("/payload/status").asText(), "an accepted idle connection is served: " + n);
      served++;
    }
    return new IdleOutcome(served, busy);
  }

  void closeIdle() {
    for (Socket s : idle) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing a test socket
      }
    }
    idle.clear();
  }

  /** A few searches checked field by field: the right holder at the right port. */
  void assertSearchesAnswerCorrectly() throws IOException {
    try (FrameSocket s = FrameSocket.connect("127.0.0.1", at.getPort(), 30_000, "check")) {
      for (int i = 0; i < names.size(); i += 97) {
        Envelope r = s.request(MessageType.SEARCH_REQUEST, new SearchRequest(SearchQuery.exact(names.get(i))));
        JsonNode results = r.payload().get("results");
        assertEquals(1, results.size(), r.payload().toString());
        assertEquals(PEER, results.get(0).get("peer_id").asText());
        assertEquals(fakePeerPort.getLocalPort(), results.get(0).at("/peer/port").asInt());
        assertEquals(String.format("%064x", i + 1), results.get(0).at("/meta/sha256").asText());
      }
    }
  }

  /** Used heap after a few full collections (this JVM holds the index). */
  static long heapAfterGc() throws InterruptedException {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200); // let reference processing settle between collections
      best = Math.min(best, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return best;
  }

  static byte[] readLine(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      buf.write(b);
    }
    assertTrue(b >= 0, "connection closed without a complete reply (" + buf.size() + " bytes)");
    return buf.toByteArray();
  }

  @Override
  public void close() throws Exception {
    closeIdle();
    fakePeerPort.close();
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
  }
}
