package io.p2pshare.cli;

import org.HdrHistogram.Histogram;

/**
 * What this shell session measured, as the reference's {@code stats}: the round-trip time of every
 * lookup and search as the user saw it (HdrHistogram, 3 significant digits, so p50/p99 come for
 * free) and the speed of every finished download. Thread-safe: recorded from the reader thread,
 * read by {@code stats}. Standard deviations are population ones (HdrHistogram's).
 */
public final class SessionStats {
  /** 1 µs .. 1 h, auto-resizing anyway. */
  private final Histogram searchNanos = new Histogram(1_000L, 3_600_000_000_000L, 3);

  private long downloads;
  private double speedMean;
  private double speedM2;
  private double speedMin = Double.POSITIVE_INFINITY;
  private double speedMax;
  private long bytes;
  private double seconds;

  /** A frozen view. Latencies in seconds; speeds in bytes per second. */
  public record Snapshot(
      long searches, double searchMean, double searchStdev, double searchMin, double searchMax,
      double searchP50, double searchP99,
      long downloads, double speedMean, double speedStdev, double speedMin, double speedMax,
      long bytes, double seconds) {

    /** Total bytes over total download time, as the reference's "Throughput". */
    public double throughput() {
      return seconds > 0 ? bytes / seconds : 0;
    }
  }

  public synchronized void recordSearch(long nanos) {
    searchNanos.recordValue(Math.max(1_000L, Math.min(nanos, searchNanos.getHighestTrackableValue())));
  }

  /** One finished download; a zero-time download counts its bytes but not its speed. */
  public synchronized void recordDownload(long byteCount, double secs) {
    bytes += byteCount;
    seconds += secs;
    if (secs <= 0) {
      return;
    }
    double speed = byteCount / secs;
    downloads++;
    double delta = speed - speedMean;
    speedMean += delta / downloads;
    speedM2 += delta * (speed - speedMean);
    speedMin = Math.min(speedMin, speed);
    speedMax = Math.max(speedMax, speed);
  }

  public synchronized Snapshot snapshot() {
    long n = searchNanos.getTotalCount();
    double s = 1e9;
    return new Snapshot(
        n,
        n == 0 ? 0 : searchNanos.getMean() / s,
        n == 0 ? 0 : searchNanos.getStdDeviation() / s,
        n == 0 ? 0 : searchNanos.getMinValue() / s,
        n == 0 ? 0 : searchNanos.getMaxValue() / s,
        n == 0 ? 0 : searchNanos.getValueAtPercentile(50) / s,
        n == 0 ? 0 : searchNanos.getValueAtPercentile(99) / s,
        downloads,
        speedMean,
        downloads > 0 ? Math.sqrt(speedM2 / downloads) : 0,
        downloads == 0 ? 0 : speedMin,
        speedMax,
        bytes,
        seconds);
  }
}
