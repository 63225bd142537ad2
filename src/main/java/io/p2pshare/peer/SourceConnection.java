package io.p2pshare.peer;

import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.FrameInput;
import io.p2pshare.protocol.Frames;
import io.p2pshare.protocol.HotFrames;
import io.p2pshare.protocol.ManifestResponse;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.ProtocolException;
import io.p2pshare.protocol.TransferHeader;
import io.p2pshare.protocol.TransferRequest;
import io.p2pshare.transport.ClientSockets;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.security.MessageDigest;

/**
 * One persistent connection to a peer's transfer port, used by one thread at a time (borrowed
 * from {@link SourcePool}): request a header (OBTAIN / REPLICATE / MANIFEST), then read exactly
 * the announced body bytes into a file region while hashing them. Runs on the blocking-IO
 * dispatcher only. After any IO or protocol error the connection is unusable: discard it.
 */
public final class SourceConnection implements Closeable {
  private static final int MAX_HEADER = 64 * 1024;

  private final String key;
  private final Socket socket;
  private final FrameInput in;
  private final OutputStream out;
  private final String clientId;
  private final byte[] buf = new byte[1024 * 1024];
  /** Buffers for bodies hashed on a second thread ({@link HashPipe}), made on first use. */
  private java.nio.ByteBuffer[] ring;
  /** The plain socket's channel (null for TLS): bodies are read from it into direct buffers. */
  private final java.nio.channels.SocketChannel channel;
  /** Waits for body bytes on {@link #channel} with the read timeout, made on first use. */
  private java.nio.channels.Selector selector;
  private final int readTimeoutMs;
  private long seq;

  private SourceConnection(String key, Socket socket, String clientId) throws IOException {
    this.key = key;
    this.socket = socket;
    this.in = new FrameInput(socket.getInputStream(), 256 * 1024);
    this.out = new java.io.BufferedOutputStream(socket.getOutputStream(), 16 * 1024); // pipelined requests leave in one write
    this.clientId = clientId;
    this.channel = socket.getChannel();
    this.readTimeoutMs = socket.getSoTimeout();
  }

  public static SourceConnection open(String host, int port, String clientId, int timeoutMs)
      throws IOException {
    return open(ClientSockets.PLAIN, host, port, clientId, timeoutMs);
  }

  /** Through {@code sockets}: plain, or TLS (handshake done here, under the timeout). */
  public static SourceConnection open(ClientSockets sockets, String host, int port, String clientId,
      int timeoutMs) throws IOException {
    Socket s = sockets.connect(host, port, timeoutMs, 1024 * 1024, true);
    try {
      return new SourceConnection(SourcePool.key(host, port), s, clientId);
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  public String key() {
    return key;
  }

  /** Sends a transfer request and reads its header (no body yet). */
  public TransferHeader request(String type, String fileName, Long offset, Long length)
      throws IOException {
    sendRequest(type, fileName, offset, length);
    out.flush();
    return readHeader();
  }

  /** Queues a request without flushing (pipelining: several requests, then their replies). */
  public void sendRequest(String type, String fileName, Long offset, Long length) throws IOException {
    out.write(HotFrames.transferRequest(type, clientId, clientId + "-" + (++seq), fileName, offset, length));
  }

  public void flush() throws IOException {
    out.flush();
  }

  /** Reads the next reply header (replies come in request order). */
  public TransferHeader readHeader() throws IOException {
    byte[] line = readLine();
    try {
      return HotFrames.transferHeader(line);
    } catch (ProtocolException e) {
      throw new IOException("bad header from " + key + ": " + e.getMessage());
    }
  }

  public ManifestResponse manifest(String fileName) throws IOException {
    send(MessageType.MANIFEST_REQUEST, new TransferRequest(fileName, null, null));
    return readPayload(ManifestResponse.class);
  }

  /** MANIFEST as a whole reply frame: a manifest, or an error payload with its code. */
  public Envelope manifestReply(String fileName) throws IOException {
    send(MessageType.MANIFEST_REQUEST, new TransferRequest(fileName, null, null));
    try {
      return Frames.decode(readLine());
    } catch (ProtocolException e) {
      throw new IOException("bad reply from " + key + ": " + e.getMessage());
    }
  }

  /**
   * Reads exactly {@code n} body bytes into {@code out}, updating {@code digest} and
   * {@code also} (each may be null), paced by {@code limiter}. Hashing and writing run on
   * threads of their own ({@link HashPipe}) while the next bytes are read.
   */
  void readBody(long n, PieceWriter out, MessageDigest digest, MessageDigest also, RateLimiter limiter)
      throws IOException {
    readBody(n, out, digest, also, limiter, false);
  }

  /**
   * As above; {@code exclusive}: nothing else writes on this connection meanwhile (no pipelined
   * request goes out while the body is read), so the body may come straight from the channel.
   */
  void readBody(long n, PieceWriter out, MessageDigest digest, MessageDigest also, RateLimiter limiter,
      boolean exclusive) throws IOException {
    HashPipe pipe = pipe(digest, also, out);
    boolean ok = false;
    try {
      readThrough(n, pipe, limiter, exclusive);
      ok = true;
    } finally {
      try {
        pipe.finish(); // the ring is idle and every byte written before this returns
      } catch (IOException e) {
        if (ok) {
          throw e;
        }
      }
    }
  }

  /**
   * A hasher over this connection's buffers for {@code digest} and {@code also} (either may be
   * null), and a writer thread for {@code out}, to feed with {@link #readThrough}. The caller
   * must {@link HashPipe#finish} it before this connection reads anything else and before it
   * finishes {@code out}, also after a failure.
   */
  HashPipe pipe(MessageDigest digest, MessageDigest also, PieceWriter out) {
    if (ring == null) {
      ring = HashPipe.newRing();
    }
    return new HashPipe(ring, digest, also, out);
  }

  /**
   * The next {@code n} body bytes through {@code pipe} (its digests and its writer). With
   * {@code exclusive} (see {@link #readBody}) and a plain socket they come straight from its
   * channel, in non-blocking mode meanwhile, in which the socket's streams cannot be used: a
   * request pipelined by another thread at that moment would fail. Else through the stream.
   */
  void readThrough(long n, HashPipe pipe, RateLimiter limiter, boolean exclusive) throws IOException {
    boolean direct = exclusive && channel != null && channel.isOpen();
    if (direct) {
      enterNonBlocking();
    }
    try {
      long left = n;
      while (left > 0) {
        java.nio.ByteBuffer b = pipe.buffer();
        int want = (int) Math.min(b.capacity(), left);
        b.limit(want);
        limiter.acquire(want);
        if (direct) {
          fillFromChannel(b, left);
        } else {
          fillFromStream(b, left);
        }
        pipe.hashed(b);
        left -= want;
      }
    } finally {
      if (direct) {
        leaveNonBlocking();
      }
    }
  }

  /**
   * Fills {@code b} to its limit: first with what the header read buffered, then straight from
   * the socket. Waits at most the read timeout for each next bytes.
   */
  private void fillFromChannel(java.nio.ByteBuffer b, long left) throws IOException {
    in.drainTo(b);
    while (b.hasRemaining()) {
      int r = channel.read(b);
      if (r < 0) {
        throw new EOFException("source closed the connection with " + (left - b.position()) + " body bytes missing");
      }
      if (r == 0) {
        int ready;
        try {
          ready = selector.select(readTimeoutMs);
        } catch (java.nio.channels.ClosedSelectorException closed) {
          throw new java.nio.channels.AsynchronousCloseException(); // closed under us: aborted
        }
        if (ready == 0) {
          if (!channel.isOpen()) {
            throw new java.nio.channels.ClosedChannelException();
          }
          throw new java.net.SocketTimeoutException("no body bytes from " + key + " for " + readTimeoutMs + " ms");
        }
        selector.selectedKeys().clear();
      }
    }
  }

  /** Fills {@code b} to its limit from the stream, through this connection's array (paced already). */
  private void fillFromStream(java.nio.ByteBuffer b, long left) throws IOException {
    while (b.hasRemaining()) {
      int r = fill(buf, Math.min(buf.length, b.remaining()), left - b.position(), RateLimiter.UNLIMITED);
      b.put(buf, 0, r);
    }
  }

  /** Non-blocking reads, waited for with the selector (a blocking channel read has no timeout). */
  private void enterNonBlocking() throws IOException {
    if (selector == null) {
      selector = java.nio.channels.Selector.open();
    }
    channel.configureBlocking(false);
    channel.register(selector, java.nio.channels.SelectionKey.OP_READ);
  }

  /** Back to blocking mode, for the streams (headers, small bodies). */
  private void leaveNonBlocking() throws IOException {
    if (!channel.isOpen() || !selector.isOpen()) {
      return; // closed: nothing reads from it again
    }
    java.nio.channels.SelectionKey k = channel.keyFor(selector);
    if (k != null) {
      k.cancel();
    }
    selector.selectNow(); // completes the deregistration, which blocking mode requires
    channel.configureBlocking(true);
  }

  /** Reads {@code want} bytes into {@code b} (the body has {@code left} to go), or fails. */
  private int fill(byte[] b, int want, long left, RateLimiter limiter) throws IOException {
    limiter.acquire(want);
    int got = 0;
    while (got < want) {
      int r = in.read(b, got, want - got);
      if (r < 0) {
        throw new EOFException("source closed the connection with " + (left - got) + " body bytes missing");
      }
      got += r;
    }
    return got;
  }

  /** Reads exactly {@code n} body bytes into memory (small files only). */
  public byte[] readBodyBytes(int n, RateLimiter limiter) throws IOException {
    limiter.acquire(n);
    byte[] dst = new byte[n];
    in.readFully(dst, 0, n, "source " + key);
    return dst;
  }

  /**
   * As {@link #readBodyBytes}, into this connection's own buffer when it fits (the first
   * {@code n} bytes of the array returned): valid only until the next read on this connection,
   * so use it before handing the connection back. Saves a 1 MiB array per 1 MiB file, which
   * the G1 collector allocates as a humongous object.
   */
  public byte[] readBodyShared(int n, RateLimiter limiter) throws IOException {
    if (n > buf.length) {
      return readBodyBytes(n, limiter);
    }
    limiter.acquire(n);
    in.readFully(buf, 0, n, "source " + key);
    return buf;
  }

  private void send(String type, Object payload) throws IOException {
    out.write(Frames.encode(Envelope.of(type, clientId, clientId + "-" + (++seq), payload)));
    out.flush();
  }

  private <T> T readPayload(Class<T> cls) throws IOException {
    byte[] line = readLine();
    try {
      Envelope env = Frames.decode(line);
      return env.payloadAs(cls);
    } catch (ProtocolException e) {
      throw new IOException("bad header from " + key + ": " + e.getMessage());
    }
  }

  private byte[] readLine() throws IOException {
    return in.readLine(MAX_HEADER, "header from " + key);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    java.nio.channels.Selector sel = selector;
    if (sel != null) {
      sel.wakeup(); // a body read waiting for bytes sees the channel closed at once
      try {
        sel.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
