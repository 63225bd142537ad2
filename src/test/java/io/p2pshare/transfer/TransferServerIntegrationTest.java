package io.p2pshare.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.Materializer;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.FrameSocket;
import io.p2pshare.protocol.Frames;
import io.p2pshare.protocol.ManifestResponse;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.TransferHeader;
import io.p2pshare.protocol.TransferRequest;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransferServerIntegrationTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  @TempDir static Path tmp;
  static Path shared;
  static Path replicated;
  static Path downloaded;
  static TransferServer server;
  static byte[] small;
  static byte[] mib;
  static byte[] big;

  @BeforeAll
  static void start() throws Exception {
    shared = Files.createDirectory(tmp.resolve("shared"));
    replicated = Files.createDirectory(tmp.resolve("replicated"));
    downloaded = Files.createDirectory(tmp.resolve("downloaded"));
    small = random(1024, 1);
    mib = random(1 << 20, 2);
    big = random(24 << 20, 3); // larger than the socket buffers: an unread body stays in flight
    Files.write(shared.resolve("small.txt"), small);
    Files.write(shared.resolve("one.bin"), mib);
    Files.write(shared.resolve("big.bin"), big);
    Files.write(shared.resolve("empty.bin"), new byte[0]);
    Files.write(replicated.resolve("rep.bin"), small);
    Files.write(downloaded.resolve("down.bin"), small);
    Files.write(tmp.resolve("secret.txt"), "secret".getBytes(StandardCharsets.UTF_8));
    Files.createSymbolicLink(shared.resolve("escape.txt"), tmp.resolve("secret.txt"));
    server = TransferServer.start(testKit.system(), Materializer.matFromSystem(testKit.system()),
            TransferServer.Settings.of("srv", "127.0.0.1", 0).withMaxUploads(2),
            DirectoryFiles.of(shared, replicated, downloaded, 256 * 1024))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    server.unbind().toCompletableFuture().get(30, TimeUnit.SECONDS);
    testKit.shutdownTestKit();
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static FrameSocket connect() throws Exception {
    return FrameSocket.connect("127.0.0.1", server.port(), 30_000, "tester");
  }

  static TransferHeader obtain(FrameSocket s, String type, String name, Long off, Long len) throws Exception {
    return s.request(type, new TransferRequest(name, off, len)).payloadAs(TransferHeader.class);
  }

  static byte[] body(FrameSocket s, TransferHeader h) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    s.readBody(h.bodyLength(), out);
    return out.toByteArray();
  }

  /** p2pshare_served_bytes of the process's metrics, read from the registry's own snapshot. */
  static double servedBytes(io.p2pshare.metrics.Metrics m) {
    for (var snap : m.registry().scrape()) {
      if (snap.getMetadata().getName().equals("p2pshare_served_bytes")) {
        return ((io.prometheus.metrics.model.snapshots.CounterSnapshot) snap).getDataPoints().get(0).getValue();
      }
    }
    throw new AssertionError("no p2pshare_served_bytes metric");
  }

  @Test
  void servedBytesAreCountedInTheInstalledMetrics() throws Exception {
    // A system of its own, so no other test's uploads land in this count.
    ActorTestKit kit = ActorTestKit.create();
    try {
      io.p2pshare.metrics.Metrics m = new io.p2pshare.metrics.Metrics("peer", "srv");
      io.p2pshare.metrics.NodeMetrics.get(kit.system()).install(m);
      TransferServer own = TransferServer.start(kit.system(), Materializer.matFromSystem(kit.system()),
              TransferServer.Settings.of("srv", "127.0.0.1", 0),
              DirectoryFiles.of(shared, replicated, downloaded, 256 * 1024))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      try (FrameSocket s = FrameSocket.connect("127.0.0.1", own.port(), 30_000, "tester")) {
        TransferHeader h = obtain(s, MessageType.OBTAIN_REQUEST, "small.txt", 0L, 1024L); // inline path
        assertArrayEquals(small, body(s, h));
        h = obtain(s, MessageType.OBTAIN_REQUEST, "one.bin", 0L, 300_000L); // streamed path
        assertArrayEquals(Arrays.copyOfRange(mib, 0, 300_000), body(s, h));
      }
      // chunks are counted before they are written, and the client has read them all
      assertEquals(1024 + 300_000, servedBytes(m), 0.0);
    } finally {
      kit.shutdownTestKit();
    }
  }

  @Test
  void servesWholeFilesAndRangesOnOnePersistentConnection() throws Exception {
    try (FrameSocket s = connect()) {
      TransferHeader h = obtain(s, MessageType.OBTAIN_REQUEST, "small.txt", 0L, 1024L);
      assertTrue(h.ok());
      assertEquals(1024L, h.fileSize());
      assertArrayEquals(small, body(s, h));

      h = obtain(s, MessageType.OBTAIN_REQUEST, "one.bin", 1000L, 300_000L);
      assertEquals(1000L, h.offset());
      assertEquals(300_000L, h.length());
      assertArrayEquals(Arrays.copyOfRange(mib, 1000, 301_000), body(s, h));

      h = obtain(s, MessageType.OBTAIN_REQUEST, "one.bin", (long) (mib.length - 7), null);
      assertArrayEquals(Arrays.copyOfRange(mib, mib.length - 7, mib.length), body(s, h));

      h = obtain(s, MessageType.OBTAIN_REQUEST, "empty.bin", 0L, 0L);
      assertTrue(h.ok());
      assertEquals(0L, h.bodyLength());

      h = obtain(s, MessageType.OBTAIN_REQUEST, "one.bin", 0L, (long) mib.length);
      assertArrayEquals(mib, body(s, h));
    }
  }

  @Test
  void obtainServesAllThreeDirsReplicateOnlySharedAndReplicated() throws Exception {
    try (FrameSocket s = connect()) {
      for (String n : new String[] {"small.txt", "rep.bin", "down.bin"}) {
        TransferHeader h = obtain(s, MessageType.OBTAIN_REQUEST, n, 0L, 1024L);
        assertTrue(h.ok(), n);
        assertArrayEquals(small, body(s, h));
      }
      for (String n : new String[] {"small.txt", "rep.bin"}) {
        TransferHeader h = obtain(s, MessageType.REPLICATE_REQUEST, n, 0L, 1024L);
        assertTrue(h.ok(), n);
        assertArrayEquals(small, body(s, h));
      }
      Envelope e = s.request(MessageType.REPLICATE_REQUEST, new TransferRequest("down.bin", null, null));
      assertEquals(MessageType.REPLICATE_RESPONSE, e.type());
      assertEquals("NOT_FOUND", e.payloadAs(TransferHeader.class).code());
    }
  }

  @Test
  void errorsAreRepliesAndTheConnectionStaysUsable() throws Exception {
    try (FrameSocket s = connect()) {
      assertEquals("NOT_FOUND", obtain(s, MessageType.OBTAIN_REQUEST, "missing.bin", null, null).code());
      for (String bad : new String[] {"../secret.txt", "/etc/passwd", "..\\x", "a/b", "C:", "nul", "x\u0000y", "escape.txt"}) {
        TransferHeader h = obtain(s, MessageType.OBTAIN_REQUEST, bad, null, null);
        assertEquals("error", h.status(), bad);
        assertEquals("BAD_REQUEST", h.code(), bad);
      }
      assertEquals("BAD_REQUEST", obtain(s, MessageType.OBTAIN_REQUEST, "small.txt", 1025L, null).code());
      assertEquals("BAD_REQUEST", obtain(s, MessageType.OBTAIN_REQUEST, "small.txt", 1000L, 100L).code());
      Envelope e = s.request(MessageType.OBTAIN_REQUEST, Map.of("offset", 0));
      assertEquals("BAD_REQUEST", e.payloadAs(TransferHeader.class).code());
      e = s.request("SEARCH_REQUEST", Map.of());
      assertEquals("UNKNOWN_TYPE", e.payloadAs(TransferHeader.class).code());
      s.sendRaw("{not json\n".getBytes(StandardCharsets.UTF_8));
      assertEquals("BAD_REQUEST", s.receive().payloadAs(TransferHeader.class).code());
      // still serving
      TransferHeader h = obtain(s, MessageType.OBTAIN_REQUEST, "small.txt", 0L, 1024L);
      assertArrayEquals(small, body(s, h));
    }
  }

  @Test
  void manifestMatchesThePieceHashes() throws Exception {
    PieceHasher.Hashes expect = PieceHasher.hash(shared.resolve("one.bin"), 256 * 1024);
    try (FrameSocket s = connect()) {
      Envelope e = s.request(MessageType.MANIFEST_REQUEST, new TransferRequest("one.bin", null, null));
      assertEquals(MessageType.MANIFEST_RESPONSE, e.type());
      ManifestResponse m = e.payloadAs(ManifestResponse.class);
      assertEquals("ok", m.status());
      assertEquals(expect.sha256(), m.sha256());
      assertEquals(expect.pieces(), m.pieces());
      assertEquals(4, m.pieces().size());
      // once hashed, transfer headers carry the file's sha256 too
      TransferHeader h = obtain(s, MessageType.OBTAIN_REQUEST, "one.bin", 0L, 10L);
      assertEquals(expect.sha256(), h.sha256());
      body(s, h);
      e = s.request(MessageType.MANIFEST_REQUEST, new TransferRequest("nope.bin", null, null));
      assertEquals("NOT_FOUND", e.payloadAs(TransferHeader.class).code());
    }
  }

  @Test
  void oversizedRequestGetsFrameTooLargeAndOthersAreStillServed() throws Exception {
    try (FrameSocket s = connect()) {
      byte[] huge = new byte[70 * 1024];
      Arrays.fill(huge, (byte) 'x');
      huge[huge.length - 1] = '\n';
      s.sendRaw(huge);
      Envelope e = s.receive();
      assertEquals("FRAME_TOO_LARGE", e.payloadAs(TransferHeader.class).code());
    }
    try (FrameSocket s = connect()) {
      TransferHeader h = obtain(s, MessageType.OBTAIN_REQUEST, "small.txt", 0L, 1024L);
      assertArrayEquals(small, body(s, h));
    }
  }

  @Test
  void busyAtTheUploadCap() throws Exception {
    // Two uploads the clients do not read: the 24 MiB bodies stall in the socket buffers.
    try (FrameSocket a = connect(); FrameSocket b = connect(); FrameSocket c = connect()) {
      assertTrue(obtain(a, MessageType.OBTAIN_REQUEST, "big.bin", 0L, (long) big.length).ok());
      assertTrue(obtain(b, MessageType.OBTAIN_REQUEST, "big.bin", 0L, (long) big.length).ok());
      TransferHeader busy = obtain(c, MessageType.OBTAIN_REQUEST, "small.txt", 0L, 1024L);
      assertEquals("BUSY", busy.code());
      // Manifests and errors are not uploads: still answered.
      assertEquals("NOT_FOUND", obtain(c, MessageType.OBTAIN_REQUEST, "missing", null, null).code());
      assertArrayEquals(big, body(a, new TransferHeader("ok", null, null, null, null, (long) big.length, null, null, null)));
      // a's upload has ended; poll until the server has counted it off, then c is served.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      TransferHeader h;
      do {
        h = obtain(c, MessageType.OBTAIN_REQUEST, "small.txt", 0L, 1024L);
      } while (!h.ok() && System.nanoTime() < deadline && sleep(50));
      assertTrue(h.ok());
      assertArrayEquals(small, body(c, h));
    }
  }

  static boolean sleep(long ms) throws InterruptedException {
    Thread.sleep(ms);
    return true;
  }

  /**
   * A base v1 client: request without offset/length, ONE read of up to 4 KiB for the header,
   * everything after the newline in that read is dropped, then the body is read.
   */
  @Test
  void baseClientReadingTheHeaderWithOne4KiBReadGetsTheWholeBody() throws Exception {
    for (int i = 0; i < 20; i++) {
      String name = i % 2 == 0 ? "small.txt" : "one.bin";
      byte[] expect = i % 2 == 0 ? small : mib;
      try (Socket sock = new Socket()) {
        sock.setSoTimeout(30_000);
        sock.connect(new InetSocketAddress("127.0.0.1", server.port()));
        OutputStream out = sock.getOutputStream();
        InputStream in = sock.getInputStream();
        out.write(Frames.encode(Envelope.of(MessageType.OBTAIN_REQUEST, "base", "r" + i,
            Map.of("file_name", name))));
        out.flush();
        byte[] first = new byte[4096];
        int n = in.read(first);
        int nl = indexOf(first, n, (byte) '\n');
        assertTrue(nl >= 0, "header within the first 4 KiB read");
        TransferHeader h = Frames.decode(Arrays.copyOf(first, nl)).payloadAs(TransferHeader.class);
        assertEquals(expect.length, h.fileSize());
        // what a base client throws away must not be body bytes
        assertEquals(n, nl + 1, "no body bytes in the header read");
        byte[] got = in.readNBytes((int) (long) h.fileSize());
        assertArrayEquals(expect, got);
      }
    }
  }

  @Test
  void compactHeaderForExtensionRequests() throws Exception {
    try (FrameSocket s = connect()) {
      s.send(Envelope.of(MessageType.OBTAIN_REQUEST, "t", "r", new TransferRequest("small.txt", 0L, 1024L)));
      byte[] line = s.readLine();
      assertTrue(line.length < 1024, "no padding when the client speaks the extensions");
      s.readBody(1024, OutputStream.nullOutputStream());
    }
  }

  static int indexOf(byte[] b, int n, byte x) {
    for (int i = 0; i < n; i++) {
      if (b[i] == x) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void padToBaseReadKeepsValidJson() {
    byte[] line = "{\"a\":1}\n".getBytes(StandardCharsets.US_ASCII);
    byte[] p = TransferServer.padToBaseRead(line);
    assertEquals(4096, p.length);
    assertEquals('\n', p[4095]);
    Envelope e = Frames.decode(Arrays.copyOf(
        TransferServer.padToBaseRead(Frames.encode(Envelope.of("X", "p", "r", Map.of("a", 1)))), 4095));
    assertEquals(1, e.payload().get("a").asInt());
  }

  @Test
  void rateGateChargesDebtAsWaitTime() {
    TransferServer.RateGate g = new TransferServer.RateGate(1_000_000);
    assertEquals(0, g.reserve(1_000_000)); // one second of burst
    long wait = g.reserve(500_000);
    assertTrue(wait > 400_000_000L && wait <= 500_000_000L, "about half a second: " + wait);
  }
}
