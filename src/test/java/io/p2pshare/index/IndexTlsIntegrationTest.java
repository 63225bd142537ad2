package io.p2pshare.index;

import static io.p2pshare.index.IndexServerIntegrationTest.bind;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import io.p2pshare.config.AppConfig;
import io.p2pshare.config.ConfigLoader;
import io.p2pshare.metrics.Metrics;
import io.p2pshare.protocol.FrameSocket;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.transport.ClientSockets;
import io.p2pshare.transport.SelfSignedCert;
import io.p2pshare.transport.TlsSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index port with {@code tls.cert/tls.key} in the config: failed handshakes are counted refusals. */
class IndexTlsIntegrationTest {
  @TempDir static Path dir;
  static SelfSignedCert cert;
  static SelfSignedCert stranger;
  static ActorSystem<IndexGuardian.Command> system;
  static InetSocketAddress at;
  static Metrics metrics;

  @BeforeAll
  static void start() throws Exception {
    cert = SelfSignedCert.create(dir, "index");
    stranger = SelfSignedCert.create(dir, "stranger");
    AppConfig cfg = ConfigLoader.parse("{\"tls\":{\"cert\":\"" + cert.cert + "\",\"key\":\"" + cert.key + "\"}}", "test");
    metrics = new Metrics("index", "tls-test");
    system = ActorSystem.create(IndexGuardian.create(
        new IndexGuardian.Settings("127.0.0.1", 0, cfg, null, metrics)), "index-tls");
    at = bind(system);
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  static String stats(ClientSockets sockets) throws IOException {
    try (FrameSocket s = FrameSocket.connect(sockets, "127.0.0.1", at.getPort(), 30_000, "t")) {
      return s.request(MessageType.STATS_REQUEST, Map.of()).payload().path("status").asText();
    }
  }

  static void awaitRefusals(long n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (metrics.refusals(Metrics.Refusal.TLS_HANDSHAKE) < n) {
      assertTrue(System.nanoTime() < deadline, "TLS refusal never counted");
      Thread.sleep(20);
    }
  }

  @Test
  void plainAndUntrustingClientsAreCutAndCountedTrustingOnesAreServed() throws Exception {
    ClientSockets trusting = ClientSockets.of(Optional.of(new TlsSettings(null, null, cert.cert)));
    assertEquals("ok", stats(trusting));
    assertThrows(IOException.class, () -> stats(ClientSockets.PLAIN));
    awaitRefusals(1);
    assertThrows(SSLException.class,
        () -> stats(ClientSockets.of(Optional.of(new TlsSettings(null, null, stranger.cert)))));
    awaitRefusals(2);
    assertEquals("ok", stats(trusting), "the port still serves");
    assertEquals(2, metrics.refusals(Metrics.Refusal.TLS_HANDSHAKE));
  }
}
