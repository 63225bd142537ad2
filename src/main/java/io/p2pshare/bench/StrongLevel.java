package io.p2pshare.bench;

import java.util.List;
import java.util.Map;

/**
 * One strong-scaling level: the same files split over {@code concurrency} workers.
 * {@code ratioToBaseline} is our throughput over the baseline's at the same level (null without
 * one); {@code latencyMsBySizeClass} splits the per-file latency by kb/mb/gb (null when unknown):
 * small files measure per-file overhead, large ones streaming. {@code runSeconds} lists the
 * seconds of every run of a level measured by {@link StrongScaling} (one entry without repeats;
 * null elsewhere); the other fields are the median run's.
 */
public record StrongLevel(
    int concurrency, long files, long bytes, double seconds, double throughputBytesPerSecond,
    LatencyStats latencyMs, long verificationFailures, long errors, Double ratioToBaseline,
    Map<String, LatencyStats> latencyMsBySizeClass, List<Double> runSeconds) {

  public StrongLevel(int concurrency, long files, long bytes, double seconds,
      double throughputBytesPerSecond, LatencyStats latencyMs, long verificationFailures,
      long errors, Double ratioToBaseline, Map<String, LatencyStats> latencyMsBySizeClass) {
    this(concurrency, files, bytes, seconds, throughputBytesPerSecond, latencyMs,
        verificationFailures, errors, ratioToBaseline, latencyMsBySizeClass, null);
  }

  public StrongLevel(int concurrency, long files, long bytes, double seconds,
      double throughputBytesPerSecond, LatencyStats latencyMs, long verificationFailures,
      long errors, Double ratioToBaseline) {
    this(concurrency, files, bytes, seconds, throughputBytesPerSecond, latencyMs,
        verificationFailures, errors, ratioToBaseline, null);
  }

  public StrongLevel withRatio(Double ratio) {
    return new StrongLevel(concurrency, files, bytes, seconds, throughputBytesPerSecond, latencyMs,
        verificationFailures, errors, ratio, latencyMsBySizeClass, runSeconds);
  }

  /** This run as the pick of several: every run's seconds, failures and errors of all runs. */
  public StrongLevel withRuns(List<Double> seconds, long allFailures, long allErrors) {
    return new StrongLevel(concurrency, files, bytes, this.seconds, throughputBytesPerSecond,
        latencyMs, allFailures, allErrors, ratioToBaseline, latencyMsBySizeClass, List.copyOf(seconds));
  }
}
