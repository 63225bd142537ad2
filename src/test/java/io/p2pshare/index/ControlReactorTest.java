package io.p2pshare.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.util.ByteString;
import io.p2pshare.metrics.Metrics;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.LineDecoder;
import io.p2pshare.transport.ConnectionLimits;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The control port's event loops against a scripted session: the reply order, the end of a
 * client's input, the frame limit, the header deadline, the idle timeout, the connection caps,
 * backpressure from a client that does not read, server push and failures of the session.
 */
class ControlReactorTest {
  /** Answers "echo:X" for line X; "slow:X" after 200 ms on another thread; "big:N" with N bytes; "boom" throws. */
  static final class Script implements ControlReactor.Sessions {
    final List<LineDecoder.Frame> specials = new CopyOnWriteArrayList<>();
    final Map<String, PushChannel> pushes = new ConcurrentHashMap<>();
    final Executor later = CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS);
    final java.util.concurrent.atomic.AtomicInteger bigAnswered = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public ControlReactor.Session open(String remoteHost, String connId, PushChannel push) {
      pushes.put(connId, push);
      return frame -> {
        if (!(frame instanceof LineDecoder.Line line)) {
          specials.add(frame);
          return CompletableFuture.completedFuture(new ConnectionHandler.Out(bytes("closing"), true));
        }
        String text = line.bytes().utf8String();
        if (text.startsWith("slow:")) {
          return CompletableFuture.supplyAsync(() -> new ConnectionHandler.Out(bytes("echo:" + text.substring(5)),
              false), later);
        }
        if (text.startsWith("big:")) {
          bigAnswered.incrementAndGet();
          return CompletableFuture.completedFuture(new ConnectionHandler.Out(
              bytes("x".repeat(Integer.parseInt(text.substring(4)))), false));
        }
        if (text.equals("boom")) {
          throw new IllegalStateException("scripted failure");
        }
        if (text.equals("null")) { // a broken session: no reply at all
          return CompletableFuture.completedFuture(null);
        }
        if (text.equals("fail")) {
          return CompletableFuture.failedFuture(new IllegalStateException("scripted failure"));
        }
        return CompletableFuture.completedFuture(new ConnectionHandler.Out(bytes("echo:" + text), false));
      };
    }

    static ByteString bytes(String line) {
      return ByteString.fromString(line + "\n", StandardCharsets.UTF_8);
    }
  }

  final Script script = new Script();
  final Metrics metrics = new Metrics("index", "reactor-test");
  /** Where long lines are handled; records which thread did. */
  final List<String> offloaded = new CopyOnWriteArrayList<>();
  final Executor offload = task -> new Thread(() -> {
    offloaded.add(Thread.currentThread().getName());
    task.run();
  }, "offload").start();
  ControlReactor reactor;

  ControlReactor start(int maxFrame, Duration idle, Duration deadline, ConnectionLimits limits) throws IOException {
    return start(maxFrame, idle, deadline, limits, 1);
  }

  ControlReactor start(int maxFrame, Duration idle, Duration deadline, ConnectionLimits limits, int loops)
      throws IOException {
    reactor = ControlReactor.start(new ControlReactor.Settings("127.0.0.1", 0, maxFrame, idle, deadline, loops,
        offload),
        script, limits, metrics);
    return reactor;
  }

  ControlReactor start() throws IOException {
    return start(1024, Duration.ofSeconds(30), Duration.ofSeconds(10), new ConnectionLimits(100, 100));
  }

  @AfterEach
  void stop() {
    if (reactor != null) {
      reactor.close();
    }
  }

  Socket connect() throws IOException {
    Socket s = new Socket();
    s.connect(reactor.localAddress(), 5_000);
    s.setSoTimeout(10_000);
    return s;
  }

  static BufferedReader reader(Socket s) throws IOException {
    return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
  }

  static void send(Socket s, String text) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderEvenWhenOneWaitsForAnActor() throws Exception {
    start();
    try (Socket s = connect()) {
      send(s, "a\nslow:b\nc\n\nslow:d\ne\n"); // one write, one blank keep-alive line
      BufferedReader in = reader(s);
      for (String want : List.of("a", "b", "c", "d", "e")) {
        assertEquals("echo:" + want, in.readLine());
      }
      send(s, "f\n"); // the connection stays usable
      assertEquals("echo:f", in.readLine());
    }
  }

  @Test
  void aClientThatEndsItsInputStillGetsEveryReplyThenTheClose() throws Exception {
    start();
    try (Socket s = connect()) {
      send(s, "one\nslow:two\n");
      s.shutdownOutput();
      BufferedReader in = reader(s);
      assertEquals("echo:one", in.readLine());
      assertEquals("echo:two", in.readLine());
      assertNull(in.readLine(), "closed after the last reply");
    }
  }

  @Test
  void anOversizedFrameGetsItsReplyAndACleanCloseWhileTheClientKeepsSending() throws Exception {
    start();
    try (Socket s = connect()) {
      send(s, "ok\n" + "y".repeat(5000));
      BufferedReader in = reader(s);
      assertEquals("echo:ok", in.readLine());
      assertEquals("closing", in.readLine());
      send(s, "z".repeat(5000) + "\n"); // drained, not answered with a reset
      assertNull(in.readLine());
    }
    assertEquals(List.of(LineDecoder.TooLarge.INSTANCE), script.specials);
  }

  @Test
  void aLineNotFinishedWithinTheHeaderDeadlineIsCut() throws Exception {
    start(1024, Duration.ofSeconds(30), Duration.ofMillis(300), new ConnectionLimits(100, 100));
    try (Socket s = connect()) {
      send(s, "ok\n");
      BufferedReader in = reader(s);
      assertEquals("echo:ok", in.readLine());
      long t0 = System.nanoTime();
      send(s, "{\"type\":"); // and nothing more
      assertEquals("closing", in.readLine());
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms >= 250, "cut after the deadline, not before: " + ms + " ms");
      assertNull(in.readLine());
    }
    assertEquals(List.of(LineDecoder.Stalled.INSTANCE), script.specials);
  }

  @Test
  void aQuietConnectionWithNoPartialLineIsNotCutByTheHeaderDeadline() throws Exception {
    start(1024, Duration.ofSeconds(30), Duration.ofMillis(200), new ConnectionLimits(100, 100));
    try (Socket s = connect()) {
      Thread.sleep(600);
      send(s, "still\n");
      assertEquals("echo:still", reader(s).readLine());
    }
    assertTrue(script.specials.isEmpty());
  }

  @Test
  void anIdleConnectionIsClosed() throws Exception {
    start(1024, Duration.ofMillis(300), Duration.ZERO, new ConnectionLimits(100, 100));
    try (Socket s = connect()) {
      send(s, "hi\n");
      BufferedReader in = reader(s);
      assertEquals("echo:hi", in.readLine());
      long t0 = System.nanoTime();
      assertNull(in.readLine(), "closed by the server");
      assertTrue((System.nanoTime() - t0) / 1_000_000 >= 200);
    }
  }

  @Test
  void connectionsOverTheCapGetBusyAndTheSlotComesBackOnClose() throws Exception {
    ConnectionLimits limits = new ConnectionLimits(100, 1);
    start(1024, Duration.ofSeconds(30), Duration.ofSeconds(10), limits);
    try (Socket first = connect()) {
      send(first, "a\n");
      assertEquals("echo:a", reader(first).readLine());
      try (Socket second = connect()) {
        send(second, "b\n"); // sent before it learns it is refused: still reads BUSY, not a reset
        BufferedReader in = reader(second);
        String busy = in.readLine();
        assertNotNull(busy);
        assertTrue(busy.contains("\"BUSY\""), busy);
        assertNull(in.readLine());
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (limits.open() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(0, limits.open(), "every slot released");
    try (Socket third = connect()) {
      send(third, "c\n");
      assertEquals("echo:c", reader(third).readLine());
    }
  }

  @Test
  void aClientThatDoesNotReadStopsBeingReadInsteadOfFillingTheHeap() throws Exception {
    start();
    try (Socket s = connect()) {
      // 400 requests whose replies (64 KiB each, 25 MiB in all) nobody reads for a while.
      StringBuilder req = new StringBuilder();
      for (int i = 0; i < 400; i++) {
        req.append("big:65536\n");
      }
      Thread writer = new Thread(() -> {
        try {
          send(s, req.toString());
        } catch (IOException e) {
          // the reader below reports what is missing
        }
      });
      writer.start();
      Thread.sleep(500);
      // What the socket buffers hold (a few MiB on loopback) plus the high-water mark, not all 25 MiB.
      int answered = script.bigAnswered.get();
      assertTrue(answered < 200, "requests answered while the client did not read: " + answered);
      BufferedReader in = reader(s);
      for (int i = 0; i < 400; i++) {
        assertEquals(65536, in.readLine().length(), "reply " + i);
      }
      writer.join(10_000);
      assertFalse(writer.isAlive());
    }
  }

  @Test
  void severalLoopsShareTheConnectionsAndEachAnswersItsOwn() throws Exception {
    start(1024, Duration.ofSeconds(30), Duration.ofSeconds(10), new ConnectionLimits(100, 100), 3);
    List<Socket> open = new ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) {
        open.add(connect());
      }
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < open.size(); i++) {
          send(open.get(i), "c" + i + "-" + round + "\nslow:s" + i + "-" + round + "\n");
        }
        for (int i = 0; i < open.size(); i++) {
          BufferedReader in = reader(open.get(i));
          assertEquals("echo:c" + i + "-" + round, in.readLine());
          assertEquals("echo:s" + i + "-" + round, in.readLine());
        }
      }
      long loops = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.getName().startsWith("p2pshare-index-control-")).count();
      assertTrue(loops >= 3, "loop threads: " + loops);
    } finally {
      for (Socket s : open) {
        s.close();
      }
    }
  }

  @Test
  void aLongLineIsHandledOffTheLoopAndStillAnsweredInOrder() throws Exception {
    start(1024 * 1024, Duration.ofSeconds(30), Duration.ofSeconds(10), new ConnectionLimits(100, 100));
    try (Socket s = connect()) {
      String longLine = "L".repeat(ControlReactor.INLINE_FRAME_BYTES + 1);
      send(s, "a\n" + longLine + "\nb\n");
      BufferedReader in = reader(s);
      assertEquals("echo:a", in.readLine());
      assertEquals("echo:" + longLine, in.readLine());
      assertEquals("echo:b", in.readLine());
    }
    assertEquals(List.of("offload"), offloaded, "only the long line left the loop");
  }

  @Test
  void aFailingSessionAnswersAnErrorAndTheConnectionGoesOn() throws Exception {
    start();
    try (Socket s = connect()) {
      send(s, "boom\nfail\nafter\n");
      BufferedReader in = reader(s);
      assertTrue(in.readLine().contains("INTERNAL"));
      assertTrue(in.readLine().contains("INTERNAL"));
      assertEquals("echo:after", in.readLine());
    }
  }

  @Test
  void aBugInOneConnectionClosesItAndTheLoopServesTheOthers() throws Exception {
    start();
    try (Socket healthy = connect(); Socket broken = connect()) {
      send(healthy, "before\n");
      assertEquals("echo:before", reader(healthy).readLine());
      send(broken, "null\n");
      try {
        assertNull(reader(broken).readLine(), "the broken connection is closed");
      } catch (SocketException reset) {
        // closed either way
      }
      send(healthy, "after\n");
      assertEquals("echo:after", reader(healthy).readLine());
      try (Socket fresh = connect()) {
        send(fresh, "new\n");
        assertEquals("echo:new", reader(fresh).readLine());
      }
    }
  }

  @Test
  void pushedFramesArriveBetweenRepliesAndAreRefusedOnceTheConnectionIsGone() throws Exception {
    start();
    PushChannel push;
    try (Socket s = connect()) {
      send(s, "a\n");
      BufferedReader in = reader(s);
      assertEquals("echo:a", in.readLine());
      push = script.pushes.values().iterator().next();
      Envelope frame = Envelope.of("REPLICATION_TASKS", "index", null, Map.of("n", 1));
      assertTrue(push.offer(frame));
      String pushed = in.readLine();
      assertTrue(pushed.contains("REPLICATION_TASKS"), pushed);
      send(s, "b\n");
      assertEquals("echo:b", in.readLine());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    Envelope frame = Envelope.of("REPLICATION_TASKS", "index", null, Map.of("n", 2));
    while (push.offer(frame) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertFalse(push.offer(frame), "a closed connection takes no more frames");
  }

  @Test
  void closeEndsEveryConnectionAndTheListeningPort() throws Exception {
    start();
    InetSocketAddress at = reactor.localAddress();
    List<Socket> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        Socket s = connect();
        send(s, "x\n");
        assertEquals("echo:x", reader(s).readLine());
        open.add(s);
      }
      reactor.close();
      for (Socket s : open) {
        try {
          assertEquals(-1, s.getInputStream().read());
        } catch (SocketException reset) {
          // closed either way
        }
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      boolean refused = false;
      while (!refused && System.nanoTime() < deadline) {
        try (Socket s = new Socket()) {
          s.connect(at, 1_000);
          Thread.sleep(20);
        } catch (IOException e) {
          refused = true;
        }
      }
      assertTrue(refused, "nothing listens any more");
    } finally {
      for (Socket s : open) {
        s.close();
      }
    }
  }
}
