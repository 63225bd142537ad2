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
    Files.write(shared.resolve("big.bin"), new byte[24 << 20]); // more than the socket buffers hold
    metrics = new Metrics("peer", "limits");
    NodeMetrics.get(testKit.system()).install(metrics);
    server = TransferServer.start(testKit.system(), Materializer.matFromSystem(testKit.system()),
            TransferServer.Settings.of("srv", "127.0.0.1", 0)
                .withLimits(new PortLimits(100, 2, Duration.ofMillis(1000))).withMaxUploads(1),
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

  /** One small OBTAIN; BUSY (the one upload slot still held by another test's big body) is retried. */
  static TransferHeader obtainSmall(FrameSocket s) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      TransferHeader h = s.request(MessageType.OBTAIN_REQUEST, new TransferRequest("small.txt", 0L, 1024L))
          .payloadAs(TransferHeader.class);
      if ("ok".equals(h.status())) {
        s.readBody(h.bodyLength(), new ByteArrayOutputStream());
      }
      if (!"BUSY".equals(h.code()) || System.nanoTime() > deadline) {
        return h;
      }
      Thread.sleep(50);
    }
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
        assertEquals(MessageType.OBTAIN_RESPONSE, Frames.decode(readLine(other.getInputStream())).type(),
            "served, not refused at the door");
      }
      assertEquals("ok", obtainSmall(a).status(), "held connections keep working");
    }
  }

  @Test
  void busyUploadsAndOversizedFramesAreCountedRefusals() throws Exception {
    long busyBefore = metrics.refusals(Metrics.Refusal.UPLOADS_BUSY);
    long largeBefore = metrics.refusals(Metrics.Refusal.FRAME_TOO_LARGE);
    long badBefore = metrics.refusals(Metrics.Refusal.BAD_REQUEST);
    try (Socket a = from("127.0.0.4"); Socket c = from("127.0.0.5")) {
      // a starts a 24 MiB upload and does not read it: the one upload slot stays taken.
      a.getOutputStream().write(Frames.encode(Envelope.of(MessageType.OBTAIN_REQUEST, "a", "1",
          new TransferRequest("big.bin", 0L, (long) (24 << 20)))));
      assertEquals("ok", Frames.decode(readLine(a.getInputStream())).payload().path("status").asText());
      c.getOutputStream().write(Frames.encode(Envelope.of(MessageType.OBTAIN_REQUEST, "c", "2",
          new TransferRequest("small.txt", 0L, 1024L))));
      assertEquals("BUSY", Frames.decode(readLine(c.getInputStream())).payload().path("code").asText());
      c.getOutputStream().write(Frames.encode(Envelope.of(MessageType.OBTAIN_REQUEST, "c", "3",
          new TransferRequest("../etc/passwd", 0L, 1L))));
      assertEquals("BAD_REQUEST", Frames.decode(readLine(c.getInputStream())).payload().path("code").asText());
      byte[] huge = new byte[70 * 1024];
      java.util.Arrays.fill(huge, (byte) 'x');
      huge[huge.length - 1] = '\n';
      c.getOutputStream().write(huge);
      assertEquals("FRAME_TOO_LARGE", Frames.decode(readLine(c.getInputStream())).payload().path("code").asText());
    }
    assertEquals(busyBefore + 1, metrics.refusals(Metrics.Refusal.UPLOADS_BUSY));
    assertEquals(badBefore + 1, metrics.refusals(Metrics.Refusal.BAD_REQUEST));
    assertEquals(largeBefore + 1, metrics.refusals(Metrics.Refusal.FRAME_TOO_LARGE));
  }

  /**
   * The deadline runs against the client only: a pipelined request whose second line is half
   * there while the server is still (slowly) sending the first body is not cut, though finishing
   * the body takes longer than the deadline.
   */
  @Test
  void aHalfSentPipelinedLineWaitsWhileTheServerIsBusySending() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("slow"));
    Files.write(dir.resolve("three.bin"), new byte[3 << 20]);
    TransferServer slow = TransferServer.start(testKit.system(), Materializer.matFromSystem(testKit.system()),
            TransferServer.Settings.of("slow", "127.0.0.1", 0)
                .withLimits(new PortLimits(100, 100, Duration.ofMillis(500)))
                .withMaxUploadRate(1 << 20), // 3 MiB at 1 MiB/s: about 2 s, four deadlines
            DirectoryFiles.of(dir, tmp.resolve("r"), tmp.resolve("d"), 256 * 1024))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    try (Socket s = new Socket("127.0.0.1", slow.port())) {
      s.setSoTimeout(30_000);
      byte[] first = Frames.encode(Envelope.of(MessageType.OBTAIN_REQUEST, "p", "1",
          new TransferRequest("three.bin", 0L, (long) (3 << 20))));
      byte[] second = Frames.encode(Envelope.of(MessageType.MANIFEST_REQUEST, "p", "2",
          new TransferRequest("three.bin", null, null)));
      int half = second.length / 2;
      byte[] both = java.util.Arrays.copyOf(first, first.length + half);
      System.arraycopy(second, 0, both, first.length, half);
      s.getOutputStream().write(both); // one write: the half line arrives with the first request
      InputStream in = s.getInputStream();
      assertEquals("ok", Frames.decode(readLine(in)).payload().path("status").asText());
      long left = 3 << 20;
      byte[] buf = new byte[64 * 1024];
      while (left > 0) {
        int r = in.read(buf, 0, (int) Math.min(buf.length, left));
        assertTrue(r > 0, "body cut short");
        left -= r;
      }
      s.getOutputStream().write(second, half, second.length - half);
      Envelope manifest = Frames.decode(readLine(in));
      assertEquals(MessageType.MANIFEST_RESPONSE, manifest.type(), manifest.toString());
      assertEquals("ok", manifest.payload().path("status").asText());
    } finally {
      slow.unbind().toCompletableFuture().get(30, TimeUnit.SECONDS);
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
      try (Socket ok = from("127.0.0.6")) { // its own address: no other test's slots in the way
        for (int i = 0; i < 5; i++) {
          ok.getOutputStream().write(Frames.encode(Envelope.of(MessageType.MANIFEST_REQUEST, "ok", "m" + i,
              new TransferRequest("small.txt", null, null))));
          assertEquals("ok", Frames.decode(readLine(ok.getInputStream())).payload().path("status").asText());
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
