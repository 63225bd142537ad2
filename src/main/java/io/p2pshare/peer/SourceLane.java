package io.p2pshare.peer;

import java.io.IOException;

/**
 * One source's connection for one download, with pipelined piece requests. Each piece task takes
 * a ticket in launch order (on the actor's thread, {@link #ticket}), sends its request once the
 * earlier tickets have sent theirs, and reads its reply once the earlier replies are read. So
 * the source streams the next piece while this one is still being read (no round trip between
 * pieces), and one source's pieces arrive in file order, which lets the whole-file hash take
 * each one as it lands.
 *
 * <p>Every ticket must end in exactly one {@link #done}. A failed exchange breaks the connection:
 * the tickets already handed out fail with {@link Collateral} (not their source's fault twice)
 * and the next ticket opens a fresh connection. Thread-safe; blocking, so blocking-dispatcher
 * threads only. A ticket waits only for earlier tickets, which were submitted to the (FIFO)
 * blocking pool before it, so waiting cannot starve the pool.
 */
final class SourceLane {
  /** This ticket's request or reply was lost with a connection an earlier ticket broke. */
  static final class Collateral extends IOException {
    Collateral(String key) {
      super("connection to " + key + " broke under an earlier piece", null);
    }
  }

  private final SourcePool pool;
  private final String host;
  private final int port;
  private SourceConnection conn;
  private long issued;
  private long sent;
  private long read;
  /** Tickets below this fail: they were sent on (or queued for) a connection that broke. */
  private long failBelow;
  private boolean closed;

  SourceLane(SourcePool pool, String host, int port) {
    this.pool = pool;
    this.host = host;
    this.port = port;
  }

  /** The next ticket, in launch order. Never blocks. */
  synchronized long ticket() {
    return issued++;
  }

  /**
   * Sends ticket {@code t}'s request once every earlier ticket has sent (or failed), opening the
   * connection if needed. On failure the lane is broken; the caller still calls {@link #done}.
   */
  void send(long t, Sender request) throws IOException {
    SourceConnection c;
    synchronized (this) {
      awaitLocked(() -> sent == t);
      if (closed) {
        sent++;
        notifyAll();
        throw new IOException("download stopped");
      }
      if (t < failBelow) {
        sent++;
        notifyAll();
        throw new Collateral(SourcePool.key(host, port));
      }
      c = conn;
    }
    try {
      if (c == null) {
        c = pool.borrow(host, port); // only this ticket is sending now
        synchronized (this) {
          conn = c;
        }
      }
      request.send(c);
    } catch (IOException | RuntimeException e) {
      breakLane();
      throw e;
    } finally {
      synchronized (this) {
        sent++;
        notifyAll();
      }
    }
  }

  /** Waits until ticket {@code t} may read its reply; the connection to read from. */
  SourceConnection awaitReply(long t) throws IOException {
    synchronized (this) {
      awaitLocked(() -> read == t);
      if (t < failBelow || conn == null || closed) {
        throw new Collateral(SourcePool.key(host, port));
      }
      return conn;
    }
  }

  /**
   * Ticket {@code t} is finished: {@code clean} if its reply (header and any body) was read
   * whole, so the connection is still in step. Waits for earlier tickets first.
   */
  void done(long t, boolean clean) {
    synchronized (this) {
      awaitLockedQuietly(() -> read == t);
    }
    if (!clean) {
      breakLane();
    }
    synchronized (this) {
      read++;
      notifyAll();
    }
  }

  /** Closes the connection; tickets handed out so far fail. */
  private void breakLane() {
    SourceConnection c;
    synchronized (this) {
      failBelow = Math.max(failBelow, issued);
      c = conn;
      conn = null;
    }
    if (c != null) {
      c.close();
    }
  }

  /**
   * The download is over: an idle, healthy connection goes back to the pool (the next download
   * from this source reuses it), anything else is closed.
   */
  void close() {
    SourceConnection c;
    boolean idle;
    synchronized (this) {
      closed = true;
      c = conn;
      conn = null;
      idle = read == issued;
      failBelow = issued;
      notifyAll();
    }
    if (c != null) {
      if (idle) {
        pool.release(c);
      } else {
        c.close();
      }
    }
  }

  /** Writes one request on the connection (and flushes it). */
  interface Sender {
    void send(SourceConnection c) throws IOException;
  }

  private void awaitLocked(java.util.function.BooleanSupplier turn) throws IOException {
    while (!turn.getAsBoolean()) {
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted waiting for the connection to " + SourcePool.key(host, port));
      }
    }
  }

  private void awaitLockedQuietly(java.util.function.BooleanSupplier turn) {
    boolean interrupted = false;
    while (!turn.getAsBoolean()) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true; // the counters must stay in step: keep waiting
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
