package io.p2pshare.peer;

import io.p2pshare.transport.ClientSockets;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Idle persistent connections to other peers' transfer ports, so consecutive downloads (a
 * thousand small files) reuse sockets instead of opening one per file. Thread-safe: borrowed and
 * returned from blocking-dispatcher threads; it holds sockets, not application state.
 */
public final class SourcePool implements AutoCloseable {
  private final Map<String, ConcurrentLinkedDeque<SourceConnection>> idle = new ConcurrentHashMap<>();
  private final String clientId;
  private final int maxIdlePerSource;
  private final int timeoutMs;
  private final ClientSockets sockets;
  private volatile boolean closed;

  public SourcePool(String clientId, int maxIdlePerSource, int timeoutMs) {
    this(clientId, maxIdlePerSource, timeoutMs, ClientSockets.PLAIN);
  }

  /** New connections go through {@code sockets} (plain or TLS). */
  public SourcePool(String clientId, int maxIdlePerSource, int timeoutMs, ClientSockets sockets) {
    this.clientId = clientId;
    this.maxIdlePerSource = maxIdlePerSource;
    this.timeoutMs = timeoutMs;
    this.sockets = sockets;
  }

  public static String key(String host, int port) {
    return host + ":" + port;
  }

  public SourceConnection borrow(String host, int port) throws IOException {
    if (closed) {
      throw new IOException("shutting down");
    }
    ConcurrentLinkedDeque<SourceConnection> q = idle.get(key(host, port));
    SourceConnection c = q == null ? null : q.pollFirst();
    return c != null ? c : SourceConnection.open(sockets, host, port, clientId, timeoutMs);
  }

  /** Back to the pool after a clean request (header and whole body read). */
  public void release(SourceConnection c) {
    ConcurrentLinkedDeque<SourceConnection> q =
        idle.computeIfAbsent(c.key(), k -> new ConcurrentLinkedDeque<>());
    if (closed || q.size() >= maxIdlePerSource) {
      c.close();
    } else {
      q.offerFirst(c);
    }
  }

  @Override
  public void close() {
    closed = true;
    idle.values().forEach(q -> {
      SourceConnection c;
      while ((c = q.poll()) != null) {
        c.close();
      }
    });
  }
}
