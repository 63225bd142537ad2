package io.p2pshare.protocol;

import io.p2pshare.transport.ClientSockets;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.UUID;

/**
 * A blocking client connection that speaks newline-framed JSON (and reads raw bodies after a
 * header). For one-shot commands, tests and load generators, where a thread per connection is
 * fine; long-lived peers use Streams TCP instead.
 */
public final class FrameSocket implements Closeable {
  private final Socket socket;
  private final FrameInput in;
  private final OutputStream out;
  private final int maxLineBytes;
  private final String peerId;

  private FrameSocket(Socket socket, int maxLineBytes, String peerId) throws IOException {
    this.socket = socket;
    this.in = new FrameInput(socket.getInputStream(), 64 * 1024);
    this.out = new java.io.BufferedOutputStream(socket.getOutputStream(), 16 * 1024); // pipelined requests leave in one write
    this.maxLineBytes = maxLineBytes;
    this.peerId = peerId;
  }

  public static FrameSocket connect(String host, int port, int timeoutMs, String peerId)
      throws IOException {
    return connect(ClientSockets.PLAIN, host, port, timeoutMs, peerId);
  }

  /** Through {@code sockets}: plain, or TLS (the handshake is done before this returns). */
  public static FrameSocket connect(ClientSockets sockets, String host, int port, int timeoutMs,
      String peerId) throws IOException {
    Socket s = sockets.connect(host, port, timeoutMs, 0);
    try {
      return new FrameSocket(s, 16 * 1024 * 1024 + 1, peerId);
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  /** Sends one request frame and returns the next frame read (the reply). */
  public Envelope request(String type, Object payload) throws IOException {
    send(Envelope.of(type, peerId, UUID.randomUUID().toString(), payload));
    return receive();
  }

  public void send(Envelope envelope) throws IOException {
    out.write(Frames.encode(envelope));
    out.flush();
  }

  /** Queues a frame without flushing (pipelining: several requests, then {@link #flush}). */
  public void write(Envelope envelope) throws IOException {
    out.write(Frames.encode(envelope));
  }

  public void flush() throws IOException {
    out.flush();
  }

  public void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Reads one frame; EOF before a full line is an {@link EOFException}. */
  public Envelope receive() throws IOException {
    byte[] line = readLine();
    return Frames.decode(line);
  }

  /** Reads bytes up to (not including) the next {@code \n}. */
  public byte[] readLine() throws IOException {
    return in.readLine(maxLineBytes, "reply frame");
  }

  /** Reads exactly {@code n} raw bytes into {@code sink} (a body after a transfer header). */
  public void readBody(long n, OutputStream sink) throws IOException {
    byte[] chunk = new byte[64 * 1024];
    long left = n;
    while (left > 0) {
      int r = in.read(chunk, 0, (int) Math.min(chunk.length, left));
      if (r < 0) {
        throw new EOFException("connection closed with " + left + " body bytes missing");
      }
      sink.write(chunk, 0, r);
      left -= r;
    }
  }

  public void setTimeout(int ms) throws IOException {
    socket.setSoTimeout(ms);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
