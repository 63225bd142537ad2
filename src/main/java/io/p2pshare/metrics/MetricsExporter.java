package io.p2pshare.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Serves a {@link Metrics} registry in the Prometheus text format on {@code http://host:port/metrics}
 * (and a plain {@code /-/healthy}). Its threads are the exporter's own: a scrape never runs on an
 * Akka dispatcher.
 */
public final class MetricsExporter implements AutoCloseable {
  private final HTTPServer server;

  private MetricsExporter(HTTPServer server) {
    this.server = server;
  }

  /** Starts listening; port 0 picks a free port (see {@link #port()}). */
  public static MetricsExporter start(Metrics metrics, String host, int port) {
    try {
      return new MetricsExporter(HTTPServer.builder()
          .hostname(host)
          .port(port)
          .registry(metrics.registry())
          .buildAndStart());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the metrics port " + host + ":" + port
          + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
  }
}
