package io.p2pshare.bench;

import org.HdrHistogram.Histogram;

/** Latency summary in milliseconds, from a histogram recorded in nanoseconds. */
public record LatencyStats(
    long count, double mean, double stdev, double min, double max, double p50, double p90,
    double p99, double p999) {

  private static final double NANOS_PER_MS = 1_000_000.0;

  /** A histogram for nanosecond latencies up to ten minutes, 3 significant digits. */
  public static Histogram newHistogram() {
    return new Histogram(600L * 1_000_000_000L, 3);
  }

  public static LatencyStats of(Histogram h) {
    if (h.getTotalCount() == 0) {
      return new LatencyStats(0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
    return new LatencyStats(
        h.getTotalCount(),
        round(h.getMean() / NANOS_PER_MS),
        round(h.getStdDeviation() / NANOS_PER_MS),
        round(h.getMinValue() / NANOS_PER_MS),
        round(h.getMaxValue() / NANOS_PER_MS),
        round(h.getValueAtPercentile(50) / NANOS_PER_MS),
        round(h.getValueAtPercentile(90) / NANOS_PER_MS),
        round(h.getValueAtPercentile(99) / NANOS_PER_MS),
        round(h.getValueAtPercentile(99.9) / NANOS_PER_MS));
  }

  /** Microsecond resolution is all a histogram with 3 digits carries anyway. */
  static double round(double ms) {
    return Math.round(ms * 1000.0) / 1000.0;
  }
}
