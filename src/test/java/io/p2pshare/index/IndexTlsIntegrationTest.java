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
    AppConfig cfg = ConfigLoader.parse("{\"tls\":{\"cert\":\"" + cert.cert + "\",\"key\":\"" + cert.key + "\"},"
        + "\"index\":{\"header_deadline_ms\":1000,\"max_connections_per_address\":2}}", "test");
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

  /** A STATS answer; BUSY (a slot of the previous connection not yet given back) is retried. */
  static void awaitServed(ClientSockets sockets) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        if ("ok".equals(stats(sockets))) {
          return;
        }
      } catch (IOException busyDuringHandshake) {
        // a slot not yet given back: the server refuses before the handshake completes
      }
      assertTrue(System.nanoTime() < deadline, "connection slots never came back");
      Thread.sleep(50);
    }
  }

  static void awaitRefusals(long n) throws InterruptedException {
    awaitRefusalsAtLeast(n);
  }

  static void awaitRefusalsAtLeast(long n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (metrics.refusals(Metrics.Refusal.TLS_HANDSHAKE) < n) {
      assertTrue(System.nanoTime() < deadline, "TLS refusal never counted");
      Thread.sleep(20);
    }
  }

  @Test
  void plainAndUntrustingClientsAreCutAndCountedTrustingOnesAreServed() throws Exception {
    ClientSockets trusting = ClientSockets.of(Optional.of(new TlsSettings(null, null, cert.cert)));
    awaitServed(trusting);
    long before = metrics.refusals(Metrics.Refusal.TLS_HANDSHAKE);
    assertThrows(IOException.class, () -> stats(ClientSockets.PLAIN));
    awaitRefusals(before + 1);
    assertThrows(SSLException.class,
        () -> stats(ClientSockets.of(Optional.of(new TlsSettings(null, null, stranger.cert)))));
    awaitRefusals(before + 2);
    // Two slots per address: the failed handshakes gave theirs back, or this would be BUSY forever.
    awaitServed(trusting);
    assertEquals(before + 2, metrics.refusals(Metrics.Refusal.TLS_HANDSHAKE), "a good handshake is not counted");
  }

  @Test
  void aClientTricklingItsHelloIsCutAtTheDeadline() throws Exception {
    long before = metrics.refusals(Metrics.Refusal.TLS_HANDSHAKE);
    // The start of a TLS record (handshake, TLS 1.0 record version, length 512), a byte at a time.
    byte[] hello = new byte[200];
    hello[0] = 0x16;
    hello[1] = 0x03;
    hello[2] = 0x01;
    hello[3] = 0x02;
    hello[4] = 0x00;
    hello[5] = 0x01; // client_hello
    try (java.net.Socket s = new java.net.Socket(at.getAddress(), at.getPort())) {
      s.setSoTimeout(30_000);
      java.io.OutputStream out = s.getOutputStream();
      java.util.concurrent.CompletableFuture<Void> trickle = java.util.concurrent.CompletableFuture.runAsync(() -> {
        try {
          for (byte b : hello) {
            out.write(b);
            out.flush();
            Thread.sleep(200);
          }
        } catch (IOException | InterruptedException cut) {
          // the server hung up: expected
        }
      });
      ClientSockets trusting = ClientSockets.of(Optional.of(new TlsSettings(null, null, cert.cert)));
      awaitServed(trusting); // others are served meanwhile
      try {
        assertEquals(-1, s.getInputStream().read(), "cut without a reply");
      } catch (java.net.SocketException reset) {
        // cut with a reset: as good
      }
      trickle.cancel(true);
    }
    awaitRefusalsAtLeast(before + 1);
  }
}
