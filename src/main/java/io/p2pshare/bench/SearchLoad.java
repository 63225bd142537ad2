package io.p2pshare.bench;

import io.p2pshare.config.Endpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * Exact-name search load: N persistent connections, each with one SEARCH_REQUEST in flight, all
 * driven by one selector thread. One thread keeps the client cheap on a small machine (no
 * park/unpark per request); requests are built from bytes and replies checked by a byte scan,
 * so the client does not need Jackson per request and is not the bottleneck.
 */
public final class SearchLoad {
  private static final byte[] PREFIX = ("{\"type\":\"SEARCH_REQUEST\",\"timestamp\":0,"
      + "\"version\":\"1.0\",\"peer_id\":\"bench\",\"request_id\":\"").getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MIDDLE = "\",\"payload\":{\"query\":{\"file_name\":\""
      .getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SUFFIX = "\"}}}\n".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_REPLY = 16 * 1024 * 1024;

  /** What one level measured. */
  public record Outcome(long requests, long errors, long nanos, Histogram latencies) {}

  private final Endpoint target;
  private final byte[][] names;
  private final long timeoutNanos;

  /** {@code names} must be JSON-safe plain file names (ours are). */
  public SearchLoad(Endpoint target, List<String> names, long timeoutMs) {
    if (names.isEmpty()) {
      throw new IllegalArgumentException("no names to search for");
    }
    this.target = target;
    this.names = names.stream().map(n -> n.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    this.timeoutNanos = timeoutMs * 1_000_000L;
  }

  /** {@code clients} connections, {@code perClient} requests each; latencies in nanoseconds. */
  public Outcome run(int clients, long perClient, long seed) throws IOException {
    Histogram hist = LatencyStats.newHistogram();
    SplittableRandom random = new SplittableRandom(seed);
    long errors = 0;
    try (Selector selector = Selector.open()) {
      Conn[] conns = new Conn[clients];
      for (int i = 0; i < clients; i++) {
        SocketChannel ch = SocketChannel.open();
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.connect(new InetSocketAddress(target.host(), target.port()));
        ch.configureBlocking(false);
        conns[i] = new Conn(i, ch, perClient);
        conns[i].key = ch.register(selector, SelectionKey.OP_READ, conns[i]);
      }
      long start = System.nanoTime();
      int active = 0;
      for (Conn c : conns) {
        if (c.remaining > 0) {
          c.send(nextName(random));
          active++;
        }
      }
      long lastProgress = System.nanoTime();
      while (active > 0) {
        int ready = selector.select(1000);
        long now = System.nanoTime();
        if (ready == 0) {
          if (now - lastProgress > timeoutNanos) {
            errors += countOutstanding(conns);
            break;
          }
          continue;
        }
        lastProgress = now;
        var it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey key = it.next();
          it.remove();
          Conn c = (Conn) key.attachment();
          if (!key.isValid()) {
            continue;
          }
          if (key.isWritable()) {
            c.flush();
            continue;
          }
          int replies;
          try {
            replies = c.read();
          } catch (IOException e) {
            errors += c.remaining + 1; // this one in flight plus the rest it will never send
            c.close();
            active--;
            continue;
          }
          for (int r = 0; r < replies; r++) {
            long end = System.nanoTime();
            hist.recordValue(Math.max(1, end - c.sentAt));
            if (!c.lastOk) {
              errors++;
            }
            c.remaining--;
            if (c.remaining > 0) {
              c.send(nextName(random));
            } else {
              c.close();
              active--;
            }
          }
        }
      }
      long nanos = System.nanoTime() - start;
      for (Conn c : conns) {
        c.close();
      }
      return new Outcome(hist.getTotalCount(), errors, nanos, hist);
    }
  }

  private static long countOutstanding(Conn[] conns) {
    long n = 0;
    for (Conn c : conns) {
      if (c.channel.isOpen()) {
        n += c.remaining;
      }
    }
    return n;
  }

  private byte[] nextName(SplittableRandom random) {
    return names[random.nextInt(names.length)];
  }

  /** One client connection with its request buffer and a reply line buffer. */
  private static final class Conn {
    final int id;
    final SocketChannel channel;
    final ByteBuffer out = ByteBuffer.allocate(64 * 1024);
    ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    SelectionKey key;
    long remaining;
    long seq;
    long sentAt;
    boolean lastOk;

    Conn(int id, SocketChannel channel, long remaining) {
      this.id = id;
      this.channel = channel;
      this.remaining = remaining;
    }

    void send(byte[] name) throws IOException {
      out.clear();
      out.put(PREFIX);
      putAscii(out, id);
      out.put((byte) '-');
      putAscii(out, seq++);
      out.put(MIDDLE).put(name).put(SUFFIX);
      out.flip();
      sentAt = System.nanoTime();
      flush();
    }

    void flush() throws IOException {
      channel.write(out);
      // A partial write waits for the socket to drain; requests are small, so this is rare.
      key.interestOps(out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    /** Reads what is there; returns how many complete reply lines arrived (0 or 1 here). */
    int read() throws IOException {
      int n = channel.read(in);
      if (n < 0) {
        throw new IOException("connection closed by the server");
      }
      int lines = 0;
      int limit = in.position();
      byte[] a = in.array();
      int lineStart = 0;
      for (int i = 0; i < limit; i++) {
        if (a[i] == '\n') {
          lastOk = replyOk(a, lineStart, i);
          lines++;
          lineStart = i + 1;
        }
      }
      if (lineStart > 0) {
        System.arraycopy(a, lineStart, a, 0, limit - lineStart);
        in.position(limit - lineStart);
      } else if (!in.hasRemaining()) {
        if (in.capacity() >= MAX_REPLY) {
          throw new IOException("reply longer than " + MAX_REPLY + " bytes");
        }
        ByteBuffer bigger = ByteBuffer.allocate(in.capacity() * 2);
        in.flip();
        bigger.put(in);
        in = bigger;
      }
      return lines;
    }

    void close() {
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing a benchmark socket: nothing to do
      }
    }
  }

  /** A reply counts when {@code "status"} is {@code "ok"} and {@code "results"} is non-empty. */
  static boolean replyOk(byte[] a, int from, int to) {
    int s = valueAfter(a, from, to, STATUS);
    if (s < 0 || !startsWith(a, s, to, OK)) {
      return false;
    }
    int r = valueAfter(a, from, to, RESULTS);
    if (r < 0 || a[r] != '[') {
      return false;
    }
    r++;
    while (r < to && (a[r] == ' ' || a[r] == '\t' || a[r] == '\r')) {
      r++;
    }
    return r < to && a[r] != ']';
  }

  private static final byte[] STATUS = "\"status\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RESULTS = "\"results\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] OK = "\"ok\"".getBytes(StandardCharsets.US_ASCII);

  /** Index of the first non-blank byte after {@code "key" :}, or -1. */
  private static int valueAfter(byte[] a, int from, int to, byte[] key) {
    outer:
    for (int i = from; i + key.length <= to; i++) {
      for (int k = 0; k < key.length; k++) {
        if (a[i + k] != key[k]) {
          continue outer;
        }
      }
      int j = i + key.length;
      while (j < to && a[j] == ' ') {
        j++;
      }
      if (j >= to || a[j] != ':') {
        continue;
      }
      j++;
      while (j < to && a[j] == ' ') {
        j++;
      }
      return j < to ? j : -1;
    }
    return -1;
  }

  private static boolean startsWith(byte[] a, int at, int to, byte[] p) {
    if (at + p.length > to) {
      return false;
    }
    for (int k = 0; k < p.length; k++) {
      if (a[at + k] != p[k]) {
        return false;
      }
    }
    return true;
  }

  private static void putAscii(ByteBuffer b, long v) {
    if (v == 0) {
      b.put((byte) '0');
      return;
    }
    int start = b.position();
    while (v > 0) {
      b.put((byte) ('0' + (v % 10)));
      v /= 10;
    }
    int end = b.position() - 1;
    for (int i = start, j = end; i < j; i++, j--) {
      byte t = b.get(i);
      b.put(i, b.get(j));
      b.put(j, t);
    }
  }
}
