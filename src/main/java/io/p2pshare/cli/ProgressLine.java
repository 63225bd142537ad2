package io.p2pshare.cli;

import java.util.ArrayDeque;
import java.util.Locale;

/**
 * The download progress bar as one line of text: bar, percent, bytes, rate over the last few
 * seconds, ETA. Pure: the caller passes the clock, so it is tested without waiting.
 */
public final class ProgressLine {
  private static final long WINDOW_NANOS = 3_000_000_000L;

  private final String name;
  private final long startNanos;
  private final ArrayDeque<long[]> samples = new ArrayDeque<>();

  public ProgressLine(String name, long startNanos) {
    this.name = name;
    this.startNanos = startNanos;
    samples.add(new long[] {startNanos, 0});
  }

  /** Records the bytes done at {@code nowNanos}; keeps a window of about three seconds. */
  public void sample(long nowNanos, long bytesDone) {
    samples.addLast(new long[] {nowNanos, bytesDone});
    while (samples.size() > 2 && nowNanos - samples.peekFirst()[0] > WINDOW_NANOS) {
      samples.removeFirst();
    }
  }

  /** Bytes per second over the window (over the whole run for the first seconds). */
  public double rate() {
    long[] first = samples.peekFirst();
    long[] last = samples.peekLast();
    long dt = last[0] - first[0];
    return dt <= 0 ? 0 : (last[1] - first[1]) * 1e9 / dt;
  }

  /** The line for {@code done}/{@code total} bytes ({@code total} -1 = unknown), {@code width} columns. */
  public String render(long done, long total, long nowNanos, int width) {
    double rate = rate();
    String elapsed = Units.clock((nowNanos - startNanos) / 1_000_000_000L);
    StringBuilder tail = new StringBuilder();
    if (total > 0) {
      int pct = (int) Math.min(100, done * 100 / total);
      long eta = rate > 0 ? (long) Math.ceil((total - done) / rate) : -1;
      tail.append(String.format(Locale.ROOT, " %3d%% ", pct))
          .append(Units.size(done)).append(" / ").append(Units.size(total))
          .append("  ").append(Units.rate(rate))
          .append("  ETA ").append(Units.clock(eta));
    } else {
      tail.append(' ').append(Units.size(done)).append("  ").append(Units.rate(rate))
          .append("  ").append(elapsed);
    }
    String label = shorten(name, Math.max(8, width / 4));
    int barWidth = Math.min(40, width - label.length() - tail.length() - 4);
    StringBuilder sb = new StringBuilder(label).append(' ');
    if (barWidth >= 10 && total > 0) {
      int filled = (int) (barWidth * Math.min(1.0, (double) done / total));
      sb.append('[');
      for (int i = 0; i < barWidth; i++) {
        sb.append(i < filled ? '=' : i == filled ? '>' : ' ');
      }
      sb.append(']');
    }
    sb.append(tail);
    return sb.length() > width && width > 0 ? sb.substring(0, width) : sb.toString();
  }

  static String shorten(String s, int max) {
    return s.length() <= max ? s : s.substring(0, Math.max(1, max - 1)) + "…";
  }
}
