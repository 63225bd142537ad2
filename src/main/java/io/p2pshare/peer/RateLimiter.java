package io.p2pshare.peer;

/**
 * A token bucket shared by every transfer of a process ({@code --max-download-rate}): callers
 * block until their bytes fit. At most one second of burst. Zero rate means unlimited.
 */
public final class RateLimiter {
  public static final RateLimiter UNLIMITED = new RateLimiter(0);

  private final long bytesPerSecond;
  private double tokens;
  private long last = System.nanoTime();

  public RateLimiter(long bytesPerSecond) {
    this.bytesPerSecond = bytesPerSecond;
    this.tokens = bytesPerSecond;
  }

  public long rate() {
    return bytesPerSecond;
  }

  /**
   * Non-blocking form: takes {@code n} bytes from the bucket now and returns how many
   * nanoseconds the caller should wait before sending them (0 = at once).
   */
  public long reserve(long n) {
    if (bytesPerSecond <= 0) {
      return 0;
    }
    synchronized (this) {
      long now = System.nanoTime();
      tokens = Math.min(bytesPerSecond, tokens + (now - last) * bytesPerSecond / 1e9);
      last = now;
      tokens -= n;
      return tokens >= 0 ? 0 : (long) (-tokens * 1e9 / bytesPerSecond);
    }
  }

  /** Blocks (sleeps) until {@code n} bytes may pass. Blocking dispatcher threads only. */
  public void acquire(long n) {
    if (bytesPerSecond <= 0) {
      return;
    }
    long waitNanos;
    synchronized (this) {
      long now = System.nanoTime();
      tokens = Math.min(bytesPerSecond, tokens + (now - last) * bytesPerSecond / 1e9);
      last = now;
      tokens -= n;
      waitNanos = tokens >= 0 ? 0 : (long) (-tokens * 1e9 / bytesPerSecond);
    }
    if (waitNanos > 0) {
      try {
        Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
