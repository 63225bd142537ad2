package io.p2pshare.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.Tcp;
import akka.util.ByteString;
import io.p2pshare.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS through Transport with a certificate generated in the test. */
class TransportTlsTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  @TempDir static Path dir;
  static SelfSignedCert server;
  static SelfSignedCert stranger;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    server = SelfSignedCert.create(dir, "server");
    stranger = SelfSignedCert.create(dir, "stranger");
    TlsSettings tls = new TlsSettings(server.cert, server.key, null);
    Tcp.ServerBinding binding = Transport.bind(testKit.system(), "127.0.0.1", 0, Optional.of(tls), Optional.empty())
        .to(Sink.foreach(conn -> conn.handleWith(
            Flow.of(ByteString.class).map(b -> ByteString.fromString("echo:").concat(b)), testKit.system())))
        .run(testKit.system())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    port = binding.localAddress().getPort();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static String roundTrip(TlsSettings clientTls) throws Exception {
    return Source.single(ByteString.fromString("hello"))
        .concat(Source.maybe())
        .via(Transport.connect(testKit.system(), "127.0.0.1", port, Optional.of(clientTls),
            Optional.of(Duration.ofSeconds(10)), Optional.empty()))
        .runWith(Sink.head(), testKit.system())
        .toCompletableFuture().get(30, TimeUnit.SECONDS).utf8String();
  }

  @Test
  void clientTrustingTheCertificateTalksOverTls() throws Exception {
    assertEquals("echo:hello", roundTrip(new TlsSettings(null, null, server.cert)));
  }

  @Test
  void clientTrustingAnotherCertificateIsRefused() {
    assertThrows(ExecutionException.class, () -> roundTrip(new TlsSettings(null, null, stranger.cert)));
  }

  @Test
  void plainClientGetsNothingFromTlsPort() {
    // Plain bytes to a TLS port: the handshake fails and no echo ever comes back.
    assertThrows(Exception.class, () -> Source.single(ByteString.fromString("hello\n"))
        .concat(Source.maybe())
        .via(Transport.connect(testKit.system(), "127.0.0.1", port, Optional.empty(),
            Optional.of(Duration.ofSeconds(10)), Optional.empty()))
        .filter(b -> b.utf8String().contains("echo"))
        .runWith(Sink.head(), testKit.system())
        .toCompletableFuture().get(10, TimeUnit.SECONDS));
  }

  @Test
  void serverWithoutKeyIsAConfigError() {
    assertThrows(ConfigException.class, () -> TlsContexts.server(new TlsSettings(server.cert, null, null)));
  }

  @Test
  void pkcs1KeyGetsAConversionHint() throws Exception {
    Path k = dir.resolve("rsa1.pem");
    Files.writeString(k, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    ConfigException e = assertThrows(ConfigException.class,
        () -> TlsContexts.server(new TlsSettings(server.cert, k, null)));
    assertEquals(true, e.getMessage().contains("openssl pkcs8"));
  }
}
