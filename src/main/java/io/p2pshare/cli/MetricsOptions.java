package io.p2pshare.cli;

import io.p2pshare.metrics.Metrics;
import io.p2pshare.metrics.MetricsExporter;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --metrics-port P [--metrics-host H]} for a long-running role: add
 * {@code @Mixin MetricsOptions metricsOptions;} to the command, create one {@link Metrics}, pass
 * it to whatever records, and call {@link #start} once the role is up; close the exporter on
 * shutdown. Without the flag nothing listens.
 */
public final class MetricsOptions {
  @Option(names = "--metrics-port", paramLabel = "P",
      description = "Serve Prometheus metrics on http://HOST:P/metrics (default: off; 0 = any free port).")
  Integer port;

  @Option(names = "--metrics-host", paramLabel = "H", defaultValue = "0.0.0.0",
      description = "Interface for the metrics port (default ${DEFAULT-VALUE}).")
  String host;

  public boolean enabled() {
    return port != null;
  }

  /** Starts the exporter when {@code --metrics-port} was given. */
  public Optional<MetricsExporter> start(Metrics metrics) {
    if (port == null) {
      return Optional.empty();
    }
    if (port < 0 || port > 65535) {
      throw new UsageException("--metrics-port out of range: " + port);
    }
    return Optional.of(MetricsExporter.start(metrics, host, port));
  }

  /** Logs where the metrics are served; the result closes the exporter (or nothing). */
  static AutoCloseable logged(Optional<MetricsExporter> exporter, String node) {
    exporter.ifPresent(e -> org.slf4j.LoggerFactory.getLogger(MetricsOptions.class)
        .info("{}: metrics on http://{}:{}/metrics", node, e.host(), e.port()));
    return () -> exporter.ifPresent(MetricsExporter::close);
  }
}
