package io.p2pshare.bench;

/**
 * One strong-scaling level: the same files split over {@code concurrency} workers.
 * {@code ratioToBaseline} is our throughput over the baseline's at the same level (null without one).
 */
public record StrongLevel(
    int concurrency, long files, long bytes, double seconds, double throughputBytesPerSecond,
    LatencyStats latencyMs, long verificationFailures, long errors, Double ratioToBaseline) {

  public StrongLevel withRatio(Double ratio) {
    return new StrongLevel(concurrency, files, bytes, seconds, throughputBytesPerSecond, latencyMs,
        verificationFailures, errors, ratio);
  }
}
