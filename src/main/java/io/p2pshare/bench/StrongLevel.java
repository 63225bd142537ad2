package io.p2pshare.bench;

import java.util.Map;

/**
 * One strong-scaling level: the same files split over {@code concurrency} workers.
 * {@code ratioToBaseline} is our throughput over the baseline's at the same level (null without
 * one); {@code latencyMsBySizeClass} splits the per-file latency by kb/mb/gb (null when unknown):
 * small files measure per-file overhead, large ones streaming.
 */
public record StrongLevel(
    int concurrency, long files, long bytes, double seconds, double throughputBytesPerSecond,
    LatencyStats latencyMs, long verificationFailures, long errors, Double ratioToBaseline,
    Map<String, LatencyStats> latencyMsBySizeClass) {

  public StrongLevel(int concurrency, long files, long bytes, double seconds,
      double throughputBytesPerSecond, LatencyStats latencyMs, long verificationFailures,
      long errors, Double ratioToBaseline) {
    this(concurrency, files, bytes, seconds, throughputBytesPerSecond, latencyMs,
        verificationFailures, errors, ratioToBaseline, null);
  }

  public StrongLevel withRatio(Double ratio) {
    return new StrongLevel(concurrency, files, bytes, seconds, throughputBytesPerSecond, latencyMs,
        verificationFailures, errors, ratio, latencyMsBySizeClass);
  }
}
