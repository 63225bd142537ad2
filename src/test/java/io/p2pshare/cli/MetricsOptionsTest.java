package io.p2pshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pshare.metrics.Metrics;
import io.p2pshare.metrics.MetricsExporter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class MetricsOptionsTest {
  @Command(name = "role")
  static final class Role implements Runnable {
    @Mixin MetricsOptions metrics;

    @Override
    public void run() {}
  }

  private static MetricsOptions parse(String... args) {
    Role role = new Role();
    new CommandLine(role).parseArgs(args);
    return role.metrics;
  }

  @Test
  void withoutTheFlagNothingListens() {
    MetricsOptions opts = parse();
    assertFalse(opts.enabled());
    assertEquals(Optional.empty(), opts.start(new Metrics("peer", "peer1")));
  }

  @Test
  void withTheFlagTheRegistryIsServed() throws Exception {
    Metrics metrics = new Metrics("peer", "peer1");
    metrics.bytesServed(4242);
    MetricsOptions opts = parse("--metrics-port", "0", "--metrics-host", "127.0.0.1");
    assertTrue(opts.enabled());
    try (MetricsExporter exporter = opts.start(metrics).orElseThrow()) {
      String body = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + exporter.port() + "/metrics"))
              .timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(body.contains("p2pshare_served_bytes_total 4242.0")
          || body.contains("p2pshare_served_bytes_total 4242"), body);
    }
  }

  @Test
  void outOfRangePortIsAUsageError() {
    MetricsOptions opts = parse("--metrics-port", "70000");
    assertThrows(UsageException.class, () -> opts.start(new Metrics("index", "index")));
  }
}
