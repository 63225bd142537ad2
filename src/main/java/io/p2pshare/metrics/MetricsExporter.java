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
  private final String host;

  private MetricsExporter(HTTPServer server, String host) {
    this.server = server;
    this.host = host;
  }

  /** Starts listening; port 0 picks a free port (see {@link #port()}). */
  public static MetricsExporter start(Metrics metrics, String host, int port) {
    try {
      return new MetricsExporter(HTTPServer.builder()
          .hostname(host)
          .port(port)
          .registry(metrics.registry())
          .buildAndStart(), host);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the metrics port " + host + ":" + port
          + ": " + e.getMessage(), e);
    }
  }

  public String host() {
    return host;
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
  }
}
