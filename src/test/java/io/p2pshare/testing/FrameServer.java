package io.p2pshare.testing;

import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.Frames;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The socket side of the test fakes (index, transfer ports): a loopback server with a thread per
 * connection that reads newline-framed requests and hands each to a {@link Handler}.
 */
public final class FrameServer implements AutoCloseable {
  /** Answers one request on {@code out}; false closes the connection. */
  @FunctionalInterface
  public interface Handler {
    boolean handle(Envelope request, OutputStream out) throws IOException;
  }

  private final ServerSocket server;
  private final Handler handler;
  private final String name;
  private final List<Socket> conns = new CopyOnWriteArrayList<>();

  private FrameServer(ServerSocket server, Handler handler, String name) {
    this.server = server;
    this.handler = handler;
    this.name = name;
  }

  /** Listens on loopback {@code port} (0 = ephemeral), waiting for a just-closed port to free up. */
  public static FrameServer start(String name, int port, Handler handler) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    for (int i = 0; ; i++) { // old connections may hold a reused port for a moment
      try {
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        break;
      } catch (java.net.BindException e) {
        if (i > 200) {
          s.close();
          throw e;
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException ie) {
          s.close();
          throw new IOException(ie);
        }
      }
    }
    FrameServer f = new FrameServer(s, handler, name);
    Thread t = new Thread(f::acceptLoop, name + "-accept");
    t.setDaemon(true);
    t.start();
    return f;
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Stops listening and closes every connection. */
  @Override
  public void close() throws IOException {
    server.close();
    for (Socket c : conns) {
      c.close();
    }
    conns.clear();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket c = server.accept();
        c.setTcpNoDelay(true);
        conns.add(c);
        Thread t = new Thread(() -> serve(c), name + "-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket c) {
    try (c) {
      InputStream in = new BufferedInputStream(c.getInputStream());
      OutputStream out = c.getOutputStream();
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0) {
        if (b != '\n') {
          line.write(b);
          continue;
        }
        Envelope req = Frames.decode(line.toByteArray());
        line.reset();
        if (!handler.handle(req, out)) {
          return;
        }
        out.flush();
      }
    } catch (IOException | RuntimeException e) {
      // connection gone
    }
  }
}
