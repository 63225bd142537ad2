package io.p2pshare.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.Materializer;
import io.p2pshare.metrics.Metrics;
import io.p2pshare.metrics.NodeMetrics;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.Frames;
import io.p2pshare.protocol.FrameSocket;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.TransferHeader;
import io.p2pshare.protocol.TransferRequest;
import io.p2pshare.transport.PortLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transfer port's per-address connection cap and header deadline, with metrics. */
class TransferLimitsIntegrationTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  @TempDir static Path tmp;
  static TransferServer server;
  static Metrics metrics;

  @BeforeAll
  static void start() throws Exception {
    Path shared = Files.createDirectory(tmp.resolve("shared"));
    Files.write(shared.resolve("small.txt"), new byte[1024]);
    metrics = new Metrics("peer", "limits");
    NodeMetrics.get(testKit.system()).install(metrics);
    server = TransferServer.start(testKit.system(), Materializer.matFromSystem(testKit.system()),
            TransferServer.Settings.of("srv", "127.0.0.1", 0)
                .withLimits(new PortLimits(100, 2, Duration.ofMillis(1000))),
            DirectoryFiles.of(shared, Files.createDirectory(tmp.resolve("r")),
                Files.createDirectory(tmp.resolve("d")), 256 * 1024))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    server.unbind().toCompletableFuture().get(30, TimeUnit.SECONDS);
    testKit.shutdownTestKit();
  }

  static FrameSocket connect() throws IOException {
    return FrameSocket.connect("127.0.0.1", server.port(), 30_000, "tester");
  }

  static TransferHeader obtainSmall(FrameSocket s) throws IOException {
    TransferHeader h = s.request(MessageType.OBTAIN_REQUEST, new TransferRequest("small.txt", 0L, 1024L))
        .payloadAs(TransferHeader.class);
    if ("ok".equals(h.status())) {
      s.readBody(h.bodyLength(), new ByteArrayOutputStream());
    }
    return h;
  }

  static Socket from(String localIp) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(localIp, 0));
    s.connect(new InetSocketAddress("127.0.0.1", server.port()), 30_000);
    s.setSoTimeout(30_000);
    return s;
  }

  static byte[] readLine(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      buf.write(b);
    }
    return buf.toByteArray();
  }

  @Test
  void perAddressCapRefusesWithBusyAndOtherAddressesAreServed() throws Exception {
    long before = metrics.refusals(Metrics.Refusal.CONNECTIONS_PER_ADDRESS);
    try (FrameSocket a = connect(); FrameSocket b = connect()) {
      assertEquals("ok", obtainSmall(a).status());
      assertEquals("ok", obtainSmall(b).status());
      try (Socket third = from("127.0.0.1")) {
        Envelope busy = Frames.decode(readLine(third.getInputStream()));
        assertEquals("BUSY", busy.payload().path("code").asText());
        assertEquals(-1, third.getInputStream().read(), "closed after BUSY");
      }
      assertEquals(before + 1, metrics.refusals(Metrics.Refusal.CONNECTIONS_PER_ADDRESS));
      try (Socket other = from("127.0.0.2")) {
        other.getOutputStream().write(Frames.encode(Envelope.of(MessageType.OBTAIN_REQUEST, "t", "1",
            new TransferRequest("small.txt", 0L, 1024L))));
        assertEquals("ok", Frames.decode(readLine(other.getInputStream())).payload().path("status").asText());
      }
      assertEquals("ok", obtainSmall(a).status(), "held connections keep working");
    }
  }

  @Test
  void aTricklingClientIsCutAndOthersAreStillServed() throws Exception {
    long before = metrics.refusals(Metrics.Refusal.HEADER_DEADLINE);
    byte[] req = Frames.encode(Envelope.of(MessageType.OBTAIN_REQUEST, "loris", "1",
        new TransferRequest("small.txt" + " ".repeat(0), 0L, 1024L)));
    try (Socket loris = from("127.0.0.3")) {
      OutputStream out = loris.getOutputStream();
      CompletableFuture<Void> trickle = CompletableFuture.runAsync(() -> {
        try {
          for (int i = 0; i < req.length - 1; i++) { // never the newline
            out.write(req[i]);
            out.flush();
            Thread.sleep(200);
          }
        } catch (IOException | InterruptedException cut) {
          // the server hung up: expected
        }
      });
      try (FrameSocket ok = FrameSocket.connect("127.0.0.1", server.port(), 30_000, "fine")) {
        for (int i = 0; i < 5; i++) {
          assertEquals("ok", obtainSmall(ok).status());
        }
      }
      Envelope cut = Frames.decode(readLine(loris.getInputStream()));
      assertEquals("BAD_REQUEST", cut.payload().path("code").asText());
      assertTrue(cut.payload().path("error").asText().contains("header deadline"));
      assertEquals(-1, loris.getInputStream().read(), "then closed");
      trickle.cancel(true);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (metrics.refusals(Metrics.Refusal.HEADER_DEADLINE) < before + 1) {
      assertTrue(System.nanoTime() < deadline, "never counted");
      Thread.sleep(20);
    }
  }
}
