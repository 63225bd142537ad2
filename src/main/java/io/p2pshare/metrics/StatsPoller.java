package io.p2pshare.metrics;

import io.p2pshare.protocol.StatsResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the index-wide gauges current by asking for a stats snapshot every period, on one daemon
 * thread of its own (never an Akka dispatcher). The index command feeds it with its own
 * STATS_REQUEST, so the gauges show exactly what {@code p2pshare stats} shows.
 */
public final class StatsPoller implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StatsPoller.class);

  private final Metrics metrics;
  private final Supplier<StatsResponse> source;
  private final ScheduledExecutorService timer;

  private StatsPoller(Metrics metrics, Supplier<StatsResponse> source) {
    this.metrics = metrics;
    this.source = source;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "p2pshare-stats-poller");
      t.setDaemon(true);
      return t;
    });
  }

  /** Polls at once, then every {@code period}. */
  public static StatsPoller start(Metrics metrics, Supplier<StatsResponse> source, Duration period) {
    StatsPoller p = new StatsPoller(metrics, source);
    p.timer.scheduleWithFixedDelay(p::pollOnce, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    return p;
  }

  /** Not scheduled: tests call {@link #pollOnce} themselves. */
  static StatsPoller manual(Metrics metrics, Supplier<StatsResponse> source) {
    return new StatsPoller(metrics, source);
  }

  /** One snapshot into the gauges; a failed poll keeps the last values (and never stops the timer). */
  boolean pollOnce() {
    try {
      StatsResponse s = source.get();
      if (s != null) {
        metrics.indexStats(s);
        return true;
      }
    } catch (RuntimeException e) {
      log.debug("metrics: stats poll failed: {}", e.toString());
    }
    return false;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
