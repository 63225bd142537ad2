package io.p2pshare.index;

import akka.util.ByteString;
import io.p2pshare.metrics.Metrics;
import io.p2pshare.protocol.ErrorCode;
import io.p2pshare.protocol.Frames;
import io.p2pshare.protocol.LineDecoder;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.transport.ConnectionLimits;
import io.p2pshare.transport.RequestLines;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index's plain-TCP control port as event loops: each loop thread owns a selector and its
 * connections, reads request lines, answers them through the connection's
 * {@link ConnectionHandler} and writes the replies itself.
 *
 * <p>Why not Akka Streams TCP here: an exact search is answered synchronously from the
 * {@link IndexView}, so the only cost left per request is the transport. Akka IO hands every read
 * from its selector thread to a connection actor, then to the stream, and after each read asks the
 * selector thread (an eventfd write and a wake-up) to watch the socket again: two or three thread
 * wake-ups per search. On this project's 2-core VMs a wake-up is the dominant cost, and searches
 * at 8 clients were bounded by that chain (bench/README.md, sixth round). Here a search costs one
 * read and one write on the loop thread, and the socket's interest set changes only when
 * backpressure does. Everything else (registration, heartbeats, stats, contains-searches) still goes
 * to the actors through the same handler; its reply comes back to the loop as a task.
 *
 * <p>Same behaviour as the Streams path ({@link ControlServer}): the {@link LineDecoder} frame
 * limit (FRAME_TOO_LARGE, then close), the header deadline with {@link RequestLines}' rules, the
 * idle timeout, the connection caps (BUSY, then close), replies strictly in request order, server
 * push through a bounded queue, a client's end of input answered before the close. TLS
 * connections stay on the Streams path.
 *
 * <p>Threading: a connection's state is touched only by its loop thread; other threads reach it
 * through {@link Loop#submit}. The handler's synchronous work runs on the loop thread and must not
 * block (it reads the published view or starts an ask).
 */
final class ControlReactor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlReactor.class);

  /** Replies queued beyond this stop the reading of further requests (a client that never reads). */
  static final int OUTPUT_HIGH_WATER = 256 * 1024;
  /** Server-push frames waiting per connection, as the Streams path's queue. */
  static final int PUSH_QUEUE = 64;
  /** After its last reply a closing connection drains the client's bytes this long, so the reply is not reset. */
  static final Duration LINGER = Duration.ofSeconds(2);
  /** The same for a connection refused at accept (BUSY): short, as a flood of them is what it meets. */
  static final Duration REFUSED_LINGER = Duration.ofMillis(500);
  /**
   * Request lines longer than this (big registrations: 100,000 files is ~10 MB of JSON, ~0.1 s to
   * parse) are handled on {@code offload} so they do not hold up the searches of every other
   * connection on the loop.
   */
  static final int INLINE_FRAME_BYTES = 64 * 1024;
  private static final int READ_BUFFER = 64 * 1024;
  private static final long ACCEPT_PAUSE_MS = 100;
  private static final int MAX_GATHER = 16;

  /** Answers one connection's frames in order; {@link ConnectionHandler#handle} in the index. */
  @FunctionalInterface
  interface Session {
    CompletionStage<ConnectionHandler.Out> handle(LineDecoder.Frame frame);
  }

  /** Opens the session of a new connection. */
  @FunctionalInterface
  interface Sessions {
    Session open(String remoteHost, String connId, PushChannel push);
  }

  record Settings(String host, int port, int maxFrameBytes, Duration idleTimeout, Duration headerDeadline,
      int threads, java.util.concurrent.Executor offload) {}

  private final Settings settings;
  private final Sessions sessions;
  private final ConnectionLimits limits;
  private final Metrics metrics;
  private final ServerSocketChannel server;
  private final Loop[] loops;
  private final AtomicLong connIds = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final boolean timedLines;
  private final long sweepMillis;
  private int nextLoop;

  private ControlReactor(Settings settings, Sessions sessions, ConnectionLimits limits, Metrics metrics)
      throws IOException {
    this.settings = settings;
    this.sessions = sessions;
    this.limits = limits;
    this.metrics = metrics;
    this.timedLines = !settings.headerDeadline().isZero() && !settings.headerDeadline().isNegative();
    // Deadlines are checked by a sweep: a tenth of the shorter one, at most every quarter second.
    long shortest = Math.min(timedLines ? settings.headerDeadline().toMillis() : Long.MAX_VALUE,
        settings.idleTimeout().toMillis());
    this.sweepMillis = Math.max(10, Math.min(250, shortest / 10));
    this.server = ServerSocketChannel.open();
    try {
      server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      server.bind(new InetSocketAddress(settings.host(), settings.port()), 1024);
      server.configureBlocking(false);
      loops = new Loop[Math.max(1, settings.threads())];
      for (int i = 0; i < loops.length; i++) {
        loops[i] = new Loop(i);
      }
      server.register(loops[0].selector, SelectionKey.OP_ACCEPT);
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    for (Loop l : loops) {
      l.thread.start();
    }
  }

  /** Binds and starts the loops; an address in use (or any bind failure) is an IOException. */
  static ControlReactor start(Settings settings, Sessions sessions, ConnectionLimits limits, Metrics metrics)
      throws IOException {
    return new ControlReactor(settings, sessions, limits, metrics);
  }

  InetSocketAddress localAddress() {
    try {
      return (InetSocketAddress) server.getLocalAddress();
    } catch (IOException e) {
      throw new IllegalStateException("control port closed", e);
    }
  }

  /** Stops accepting; open connections go on until {@link #close}. */
  void unbind() {
    loops[0].submit(() -> {
      SelectionKey k = server.keyFor(loops[0].selector);
      if (k != null) {
        k.cancel();
      }
      closeQuietly(server);
    });
  }

  /** Unbinds, closes every connection and ends the loop threads. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      closeQuietly(server);
      for (Loop l : loops) {
        l.submit(l::shutdown);
      }
    }
  }

  private Loop nextLoop() {
    Loop l = loops[nextLoop];
    nextLoop = (nextLoop + 1) % loops.length;
    return l;
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // closing: nothing left to tell anyone
    }
  }

  /** One thread, one selector, the connections registered with it. */
  private final class Loop implements Runnable {
    final Selector selector;
    final Thread thread;
    final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    final AtomicBoolean wakeupPending = new AtomicBoolean();
    final java.util.Set<Conn> conns = new java.util.LinkedHashSet<>();
    final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER);
    volatile boolean running = true;
    long nextSweep;
    boolean acceptPaused;
    long acceptPausedUntil;

    Loop(int n) throws IOException {
      selector = Selector.open();
      thread = new Thread(this, "p2pshare-index-control-" + n);
      thread.setDaemon(true);
    }

    /** Runs {@code task} on this loop's thread (soon, in order). */
    void submit(Runnable task) {
      tasks.add(task);
      if (Thread.currentThread() != thread && wakeupPending.compareAndSet(false, true)) {
        selector.wakeup();
      }
    }

    @Override
    public void run() {
      nextSweep = System.nanoTime() + sweepMillis * 1_000_000L;
      try {
        while (running) {
          if (tasks.isEmpty()) {
            selector.select(this::onReady, sweepMillis);
          } else { // submitted from this thread: no wake-up was sent, so do not sleep
            selector.selectNow(this::onReady);
          }
          wakeupPending.set(false); // before the tasks: one submitted from now on wakes us again
          Runnable t;
          while ((t = tasks.poll()) != null) {
            runSafely(t);
          }
          long now = System.nanoTime();
          if (now - nextSweep >= 0) {
            nextSweep = now + sweepMillis * 1_000_000L;
            sweep(now);
          }
        }
      } catch (IOException | RuntimeException e) {
        if (running) {
          log.error("control loop {} failed: {}", thread.getName(), e.toString());
        }
      } finally {
        shutdown();
      }
    }

    void shutdown() {
      running = false;
      for (Conn c : new ArrayList<>(conns)) {
        c.close();
      }
      closeQuietly(selector);
    }

    private void runSafely(Runnable t) {
      try {
        t.run();
      } catch (RuntimeException e) {
        log.error("control loop task failed", e);
      }
    }

    private void onReady(SelectionKey key) {
      try {
        if (!key.isValid()) {
          return;
        }
        if (key.isAcceptable()) {
          acceptAll(key);
          return;
        }
        Conn c = (Conn) key.attachment();
        try {
          if (key.isReadable()) {
            c.onReadable();
          }
          if (key.isValid() && key.isWritable()) {
            c.flush();
          }
          c.settle();
        } catch (RuntimeException e) { // a bug must cost one connection, never the loop
          if (!(e instanceof java.nio.channels.CancelledKeyException)) {
            log.error("conn {} from {}: closed after an internal error", c.id, c.from.getHostAddress(), e);
          }
          c.close();
        }
      } catch (java.nio.channels.CancelledKeyException e) {
        // closed while we looked at it
      }
    }

    private void acceptAll(SelectionKey acceptKey) {
      for (int i = 0; i < 64; i++) {
        SocketChannel ch;
        try {
          ch = server.accept();
        } catch (IOException e) {
          // Out of file descriptors, say: the pending connection stays pending and the key stays
          // ready, so pause accepting for a moment instead of spinning on it.
          log.warn("accept failed, pausing accepts for {} ms: {}", ACCEPT_PAUSE_MS, e.toString());
          acceptKey.interestOps(0);
          acceptPausedUntil = System.nanoTime() + ACCEPT_PAUSE_MS * 1_000_000L;
          acceptPaused = true;
          return;
        }
        if (ch == null) {
          return;
        }
        String connId = Long.toString(connIds.incrementAndGet());
        InetAddress from = ((InetSocketAddress) ch.socket().getRemoteSocketAddress()).getAddress();
        ConnectionLimits.Outcome slot = limits.tryAcquire(from);
        if (slot != ConnectionLimits.Outcome.ACCEPTED) {
          refuse(ch, connId, from, slot == ConnectionLimits.Outcome.TOTAL);
          continue;
        }
        Loop owner = nextLoop();
        if (owner == this) {
          register(ch, connId, from, true);
        } else {
          owner.submit(() -> owner.register(ch, connId, from, true));
        }
      }
    }

    /** BUSY, then close: on this loop, lingering briefly so the client reads it rather than a reset. */
    private void refuse(SocketChannel ch, String connId, InetAddress from, boolean total) {
      metrics.refusal(total ? Metrics.Refusal.CONNECTIONS_TOTAL : Metrics.Refusal.CONNECTIONS_PER_ADDRESS);
      log.debug("conn {} from {} refused: {}", connId, from.getHostAddress(), total
          ? "too many connections" : "too many connections from this address");
      Conn c = register(ch, connId, from, false);
      if (c != null) {
        c.enqueue(ConnectionHandler.error(MessageType.ERROR, null, ErrorCode.BUSY, total
            ? "too many connections" : "too many connections from your address"));
        c.closeAfterFlush = true;
        c.flush();
        c.settle();
      }
    }

    /** The connection on this loop; {@code slot}: it holds a {@link ConnectionLimits} slot to give back. */
    Conn register(SocketChannel ch, String connId, InetAddress from, boolean slot) {
      if (!running) {
        if (slot) {
          limits.release(from);
        }
        closeQuietly(ch);
        return null;
      }
      try {
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        Conn c = new Conn(this, ch, connId, from, slot);
        c.key = ch.register(selector, SelectionKey.OP_READ, c);
        conns.add(c);
        log.debug("conn {} from {} open", connId, from.getHostAddress());
        return c;
      } catch (IOException e) {
        if (slot) {
          limits.release(from);
        }
        closeQuietly(ch);
        return null;
      }
    }

    private void sweep(long now) {
      if (acceptPaused && now - acceptPausedUntil >= 0) {
        acceptPaused = false;
        SelectionKey k = server.keyFor(selector);
        if (k != null && k.isValid()) {
          k.interestOps(SelectionKey.OP_ACCEPT);
        }
      }
      for (Conn c : new ArrayList<>(conns)) {
        try {
          c.checkDeadlines(now);
        } catch (RuntimeException e) {
          log.error("conn {} from {}: closed after an internal error", c.id, c.from.getHostAddress(), e);
          c.close();
        }
      }
    }
  }

  /** One client connection; every field but the push queue belongs to the loop thread. */
  private final class Conn implements PushChannel {
    final Loop loop;
    final SocketChannel ch;
    final String id;
    final InetAddress from;
    final LineDecoder decoder = new LineDecoder(settings.maxFrameBytes());
    /** Null for a connection refused at accept: it only says BUSY. */
    final Session handler;
    final boolean holdsSlot;
    SelectionKey key;

    final ArrayDeque<LineDecoder.Frame> frames = new ArrayDeque<>();
    final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
    long outBytes;
    /** A reply is being worked out off the loop: later requests wait (in-order replies). */
    boolean awaiting;
    /** The client ended its input (or it is being drained): answer what came, then close. */
    boolean inputDone;
    boolean closeAfterFlush;
    /** Our output is shut; reading only to drain the client's bytes until EOF or the deadline. */
    boolean lingering;
    long lingerUntil;
    /** Written by the loop only; volatile because {@link #offer} reads it from other threads. */
    volatile boolean closed;
    long lastIo = System.nanoTime();
    /** The header deadline clock: running while a request line is unfinished and we are reading. */
    boolean lineTimed;
    long lineStart;
    boolean wasReading = true;

    final ConcurrentLinkedQueue<ByteString> pushes = new ConcurrentLinkedQueue<>();
    final AtomicInteger pushCount = new AtomicInteger();
    final AtomicBoolean pushScheduled = new AtomicBoolean();

    Conn(Loop loop, SocketChannel ch, String id, InetAddress from, boolean holdsSlot) {
      this.loop = loop;
      this.ch = ch;
      this.id = id;
      this.from = from;
      this.holdsSlot = holdsSlot;
      this.handler = holdsSlot ? sessions.open(from.getHostAddress(), id, this) : null;
    }

    @Override
    public boolean offer(io.p2pshare.protocol.Envelope frame) {
      if (closed) {
        return false;
      }
      if (pushCount.incrementAndGet() > PUSH_QUEUE) {
        pushCount.decrementAndGet();
        return false;
      }
      pushes.add(ByteString.fromArrayUnsafe(Frames.encode(frame)));
      if (pushScheduled.compareAndSet(false, true)) {
        loop.submit(this::drainPushes);
      }
      return true;
    }

    private void drainPushes() {
      pushScheduled.set(false);
      ByteString b;
      while ((b = pushes.poll()) != null) {
        pushCount.decrementAndGet();
        if (!closed && !lingering) {
          enqueue(b);
        }
      }
      flush();
      settle();
    }

    void onReadable() {
      ByteBuffer buf = loop.readBuffer;
      buf.clear();
      int n;
      try {
        n = ch.read(buf);
      } catch (IOException e) {
        log.debug("conn {}: read failed: {}", id, e.toString());
        close();
        return;
      }
      if (n < 0) {
        if (lingering) {
          close();
        } else {
          inputDone = true;
          lineTimed = false;
          progress(); // answer what came, then close
        }
        return;
      }
      if (n == 0) {
        return;
      }
      lastIo = System.nanoTime();
      if (lingering || inputDone || closeAfterFlush) {
        return; // draining: the bytes are dropped
      }
      buf.flip();
      List<LineDecoder.Frame> got = decoder.feed(ByteString.fromByteBuffer(buf));
      frames.addAll(got);
      if (decoder.isDraining() || decoder.buffered() == 0) {
        lineTimed = false;
      } else if (!got.isEmpty() || !lineTimed) {
        startLineClock(lastIo); // a new line started in this read
      }
      progress();
    }

    private void startLineClock(long now) {
      if (timedLines) {
        lineTimed = true;
        lineStart = now;
      }
    }

    /** A request is waiting and nothing stops answering it: no reply pending, no close, room for output. */
    private boolean canAnswer() {
      return !closed && !awaiting && !closeAfterFlush && !frames.isEmpty() && outBytes < OUTPUT_HIGH_WATER;
    }

    /** Answers and writes until a reply must wait for an actor, the socket is full or nothing is left. */
    void progress() {
      do {
        pump();
        flush();
      } while (canAnswer());
    }

    /** Answers queued requests in order until one must wait for an actor (or output backs up). */
    void pump() {
      while (canAnswer()) {
        LineDecoder.Frame f = frames.poll();
        CompletableFuture<ConnectionHandler.Out> answer;
        try {
          answer = f instanceof LineDecoder.Line l && l.bytes().size() > INLINE_FRAME_BYTES
              ? CompletableFuture.supplyAsync(() -> handler.handle(f), settings.offload()).thenCompose(x -> x)
              : handler.handle(f).toCompletableFuture();
        } catch (RuntimeException e) {
          answer = CompletableFuture.failedFuture(e);
        }
        if (answer.isDone()) {
          take(answer);
        } else {
          awaiting = true;
          CompletableFuture<ConnectionHandler.Out> later = answer;
          answer.whenComplete((o, e) -> loop.submit(() -> {
            awaiting = false;
            if (!closed) {
              take(later);
              progress();
              settle();
            }
          }));
        }
      }
      if (inputDone && !awaiting && frames.isEmpty()) {
        closeAfterFlush = true;
      }
    }

    private void take(CompletableFuture<ConnectionHandler.Out> answer) {
      ConnectionHandler.Out o;
      try {
        o = answer.join();
      } catch (RuntimeException e) { // the handler recovers its own failures; this is a last resort
        log.warn("conn {}: request failed: {}", id, e.toString());
        o = new ConnectionHandler.Out(ConnectionHandler.error(MessageType.ERROR, null, ErrorCode.INTERNAL,
            "internal error"), false);
      }
      enqueue(o.bytes());
      if (o.close()) {
        closeAfterFlush = true;
        frames.clear();
      }
    }

    private void enqueue(ByteString bytes) {
      out.add(bytes.asByteBuffer());
      outBytes += bytes.size();
    }

    /** Writes what the socket takes now; the rest waits for OP_WRITE. */
    void flush() {
      if (closed) {
        return;
      }
      try {
        while (!out.isEmpty()) {
          long n;
          if (out.size() == 1) {
            n = ch.write(out.peek());
          } else {
            ByteBuffer[] batch = out.stream().limit(MAX_GATHER).toArray(ByteBuffer[]::new);
            n = ch.write(batch);
          }
          if (n > 0) {
            outBytes -= n;
            lastIo = System.nanoTime();
          }
          while (!out.isEmpty() && !out.peek().hasRemaining()) {
            out.poll();
          }
          if (n == 0) {
            break;
          }
        }
        if (out.isEmpty() && closeAfterFlush && !lingering) {
          finish();
        }
      } catch (IOException e) {
        log.debug("conn {}: write failed: {}", id, e.toString());
        close();
      }
    }

    /** Last reply written: close now if the client is done, else shut our side and drain theirs. */
    private void finish() throws IOException {
      if (inputDone) {
        close();
        return;
      }
      ch.shutdownOutput();
      lingering = true;
      lingerUntil = System.nanoTime() + (holdsSlot ? LINGER : REFUSED_LINGER).toNanos();
    }

    /** Continues what output made room for, then sets the socket's interest to what we wait for. */
    void settle() {
      if (closed) {
        return;
      }
      if (canAnswer()) {
        progress();
        if (closed) {
          return;
        }
      }
      boolean read = lingering || (!inputDone && !closeAfterFlush && !awaiting && frames.isEmpty()
          && outBytes < OUTPUT_HIGH_WATER);
      if (read && !wasReading && lineTimed) {
        lineStart = System.nanoTime(); // we were not reading: the client gets a fresh deadline
      }
      wasReading = read;
      int ops = (read ? SelectionKey.OP_READ : 0) | (out.isEmpty() ? 0 : SelectionKey.OP_WRITE);
      if (key.interestOps() != ops) {
        key.interestOps(ops);
      }
    }

    void checkDeadlines(long now) {
      if (closed) {
        return;
      }
      if (lingering) {
        if (now - lingerUntil >= 0) {
          close();
        }
        return;
      }
      if (now - lastIo >= settings.idleTimeout().toNanos()) {
        log.debug("conn {} from {}: idle for {} ms, closing", id, from.getHostAddress(),
            settings.idleTimeout().toMillis());
        close();
        return;
      }
      if (lineTimed && wasReading && !closeAfterFlush) {
        if (now - lineStart >= RequestLines.allowedNanos(settings.headerDeadline(), decoder.buffered())) {
          lineTimed = false;
          inputDone = true; // nothing more is read from a client cut for stalling
          frames.add(LineDecoder.Stalled.INSTANCE);
          progress();
          settle();
        }
      }
    }

    void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (key != null) {
        key.cancel();
      }
      closeQuietly(ch);
      loop.conns.remove(this);
      if (holdsSlot) {
        limits.release(from);
      }
      pushes.clear();
      log.debug("conn {} from {} closed", id, from.getHostAddress());
    }
  }
}
