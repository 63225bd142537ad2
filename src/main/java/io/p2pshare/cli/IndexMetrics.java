package io.p2pshare.cli;

import io.p2pshare.config.Endpoint;
import io.p2pshare.metrics.Metrics;
import io.p2pshare.metrics.MetricsExporter;
import io.p2pshare.metrics.StatsPoller;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.StatsResponse;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The index's {@code --metrics-port}: the exporter plus a poller that asks the index itself for
 * STATS every heartbeat interval, so the peer, file, entry, under-replication and task gauges show
 * what {@code p2pshare stats} shows. Searches and request latencies are recorded by the index's
 * connection handler into the same {@link Metrics}.
 */
final class IndexMetrics implements AutoCloseable {
  private final MetricsExporter exporter;
  private final StatsPoller poller;

  private IndexMetrics(MetricsExporter exporter, StatsPoller poller) {
    this.exporter = exporter;
    this.poller = poller;
  }

  /** Nothing runs (and close does nothing) without {@code --metrics-port}. */
  static IndexMetrics start(MetricsOptions options, Metrics metrics, InetSocketAddress bound,
      long periodMs) {
    Optional<MetricsExporter> exporter = options == null ? Optional.empty() : options.start(metrics);
    if (exporter.isEmpty()) {
      return new IndexMetrics(null, null);
    }
    // A wildcard bind (0.0.0.0 in a container) is reached on loopback.
    String host = bound.getAddress() == null || bound.getAddress().isAnyLocalAddress()
        ? "127.0.0.1" : bound.getAddress().getHostAddress();
    Endpoint self = new Endpoint(host, bound.getPort());
    StatsPoller poller = StatsPoller.start(metrics,
        () -> IndexCall.request(self, MessageType.STATS_REQUEST, Map.of()).payloadAs(StatsResponse.class),
        Duration.ofMillis(Math.max(1000, periodMs)));
    MetricsOptions.logged(exporter, "index");
    return new IndexMetrics(exporter.get(), poller);
  }

  Optional<Integer> port() {
    return exporter == null ? Optional.empty() : Optional.of(exporter.port());
  }

  @Override
  public void close() {
    if (poller != null) {
      poller.close();
    }
    if (exporter != null) {
      exporter.close();
    }
  }
}
