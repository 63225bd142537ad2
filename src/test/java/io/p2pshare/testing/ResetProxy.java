package io.p2pshare.testing;

import io.p2pshare.protocol.PeerAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy in front of a transfer port that resets (RST: SO_LINGER 0, then close)
 * the connection on which the bytes sent towards clients first pass {@code resetAfter}; every
 * connection before and after that is passed through untouched.
 */
public final class ResetProxy implements AutoCloseable {
  public final AtomicInteger resets = new AtomicInteger();
  public final AtomicLong downstreamBytes = new AtomicLong();
  private final AtomicBoolean armed = new AtomicBoolean(true);
  private final ServerSocket server;
  private final int upstreamPort;
  private final long resetAfter;

  public ResetProxy(int upstreamPort, long resetAfter) throws IOException {
    this.upstreamPort = upstreamPort;
    this.resetAfter = resetAfter;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "reset-proxy");
    t.setDaemon(true);
    t.start();
  }

  public PeerAddress address(String peerId) {
    return new PeerAddress(peerId, "127.0.0.1", server.getLocalPort());
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
        pump("up", client.getInputStream(), upstream.getOutputStream(), client, upstream, false);
        pump("down", upstream.getInputStream(), client.getOutputStream(), client, upstream, true);
      } catch (IOException e) {
        if (server.isClosed()) {
          return;
        }
      }
    }
  }

  private void pump(String dir, InputStream in, OutputStream out, Socket client, Socket upstream,
      boolean towardsClient) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16 * 1024];
      try {
        int n;
        while ((n = in.read(buf)) >= 0) {
          if (towardsClient) {
            long before = downstreamBytes.getAndAdd(n);
            if (before + n >= resetAfter && armed.compareAndSet(true, false)) {
              out.write(buf, 0, (int) Math.max(0, resetAfter - before));
              out.flush();
              client.setSoLinger(true, 0); // close() now sends RST, not FIN
              client.close();
              upstream.close();
              resets.incrementAndGet();
              return;
            }
          }
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException ignored) {
        // the other side went away: close both below
      }
      try {
        client.close();
        upstream.close();
      } catch (IOException ignored) {
        // already closed
      }
    }, "reset-proxy-" + dir);
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
