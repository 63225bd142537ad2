package io.p2pshare.transport;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connection slots of one server port: at most {@code maxTotal} open connections, and at
 * most {@code maxPerAddress} of them from one remote IP address, so one host cannot take every
 * slot. Thread-safe (called from the bind stream and from connection-termination callbacks);
 * holds an entry only for addresses with open connections.
 */
public final class ConnectionLimits {
  /** Whether a new connection may proceed, and if not, which cap refused it. */
  public enum Outcome { ACCEPTED, TOTAL, PER_ADDRESS }

  private final int maxTotal;
  private final int maxPerAddress;
  private final AtomicInteger total = new AtomicInteger();
  private final Map<InetAddress, Integer> byAddress = new ConcurrentHashMap<>();

  public ConnectionLimits(int maxTotal, int maxPerAddress) {
    if (maxTotal < 1 || maxPerAddress < 1) {
      throw new IllegalArgumentException("connection limits must be positive");
    }
    this.maxTotal = maxTotal;
    this.maxPerAddress = maxPerAddress;
  }

  /** Takes a slot for {@code from}; on ACCEPTED the caller must {@link #release} it exactly once. */
  public Outcome tryAcquire(InetAddress from) {
    if (total.incrementAndGet() > maxTotal) {
      total.decrementAndGet();
      return Outcome.TOTAL;
    }
    boolean[] taken = {false};
    byAddress.compute(from, (a, n) -> {
      int now = n == null ? 0 : n;
      if (now >= maxPerAddress) {
        return n;
      }
      taken[0] = true;
      return now + 1;
    });
    if (!taken[0]) {
      total.decrementAndGet();
      return Outcome.PER_ADDRESS;
    }
    return Outcome.ACCEPTED;
  }

  public void release(InetAddress from) {
    byAddress.computeIfPresent(from, (a, n) -> n <= 1 ? null : n - 1);
    total.decrementAndGet();
  }

  public int open() {
    return total.get();
  }

  public int open(InetAddress from) {
    return byAddress.getOrDefault(from, 0);
  }
}
