package io.p2pshare.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pshare.protocol.StatsResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Records through the hooks, scrapes the exporter over real HTTP, parses the text format. */
class MetricsExporterIntegrationTest {

  @Test
  void scrapeShowsWhatWasRecorded() throws Exception {
    Metrics metrics = new Metrics("index", "index-test");
    metrics.indexStats(new StatsResponse("ok", 3, 1, 1100L, 2200L, 7L,
        new StatsResponse.TaskCounts(2L, 1L, 40L, 5L), 1234L));
    metrics.search(Metrics.SearchResult.HIT);
    metrics.search(Metrics.SearchResult.HIT);
    metrics.search(Metrics.SearchResult.MISS);
    metrics.bytesServed(1024);
    metrics.bytesServed(1024 * 1024);
    metrics.bytesReceived(4096);
    metrics.transferError("verify");
    metrics.transferError("verify");
    metrics.transferError("io");
    metrics.requestLatency("SEARCH_REQUEST", 300_000);       // 0.3 ms
    metrics.requestLatency("SEARCH_REQUEST", 2_000_000_000L); // 2 s
    metrics.requestLatency("REGISTRY_REQUEST", 40_000_000);  // 40 ms

    try (MetricsExporter exporter = MetricsExporter.start(metrics, "127.0.0.1", 0)) {
      assertTrue(exporter.port() > 0);
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
      HttpResponse<String> resp = http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + exporter.port() + "/metrics"))
              .timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, resp.statusCode());
      assertTrue(resp.headers().firstValue("content-type").orElse("").startsWith("text/plain"),
          resp.headers().toString());
      Map<String, Double> samples = PromText.parse(resp.body());

      assertEquals(1.0, samples.get("p2pshare_info{node=\"index-test\",role=\"index\"}"));
      assertEquals(3.0, samples.get("p2pshare_peers{state=\"live\"}"));
      assertEquals(1.0, samples.get("p2pshare_peers{state=\"dead\"}"));
      assertEquals(1100.0, samples.get("p2pshare_files"));
      assertEquals(2200.0, samples.get("p2pshare_index_entries"));
      assertEquals(7.0, samples.get("p2pshare_under_replicated_files"));
      assertEquals(2.0, samples.get("p2pshare_replication_tasks{state=\"queued\"}"));
      assertEquals(1.0, samples.get("p2pshare_replication_tasks{state=\"running\"}"));
      assertEquals(40.0, samples.get("p2pshare_replication_tasks{state=\"done\"}"));
      assertEquals(5.0, samples.get("p2pshare_replication_tasks{state=\"failed\"}"));
      assertEquals(2.0, samples.get("p2pshare_searches_total{result=\"hit\"}"));
      assertEquals(1.0, samples.get("p2pshare_searches_total{result=\"miss\"}"));
      assertEquals(0.0, samples.get("p2pshare_searches_total{result=\"error\"}"));
      assertEquals(1024.0 + 1024 * 1024, samples.get("p2pshare_served_bytes_total"));
      assertEquals(4096.0, samples.get("p2pshare_received_bytes_total"));
      assertEquals(2.0, samples.get("p2pshare_transfer_errors_total{kind=\"verify\"}"));
      assertEquals(1.0, samples.get("p2pshare_transfer_errors_total{kind=\"io\"}"));

      String search = "p2pshare_request_duration_seconds";
      assertEquals(2.0, samples.get(search + "_count{type=\"SEARCH_REQUEST\"}"));
      assertEquals(2.0003, samples.get(search + "_sum{type=\"SEARCH_REQUEST\"}"), 1e-9);
      // Cumulative buckets: the 0.3 ms search is under 0.5 ms, the 2 s one only from 2.5 s.
      assertEquals(0.0, samples.get(search + "_bucket{le=\"2.5E-4\",type=\"SEARCH_REQUEST\"}"));
      assertEquals(1.0, samples.get(search + "_bucket{le=\"5.0E-4\",type=\"SEARCH_REQUEST\"}"));
      assertEquals(1.0, samples.get(search + "_bucket{le=\"1.0\",type=\"SEARCH_REQUEST\"}"));
      assertEquals(2.0, samples.get(search + "_bucket{le=\"2.5\",type=\"SEARCH_REQUEST\"}"));
      assertEquals(2.0, samples.get(search + "_bucket{le=\"+Inf\",type=\"SEARCH_REQUEST\"}"));
      assertEquals(1.0, samples.get(search + "_count{type=\"REGISTRY_REQUEST\"}"));
      assertTrue(resp.body().contains("# TYPE " + search + " histogram"), resp.body());
    }
  }

  @Test
  void labelValuesAreCapped() {
    Metrics metrics = new Metrics("peer", "peer1");
    for (int i = 0; i < 1000; i++) {
      metrics.transferError("kind-" + i);
      metrics.requestLatency("TYPE_" + i, 1000);
    }
    Map<String, Double> samples = PromText.parse(scrapeText(metrics));
    long errorSeries = samples.keySet().stream()
        .filter(k -> k.startsWith("p2pshare_transfer_errors_total{")).count();
    assertEquals(Metrics.MAX_LABEL_VALUES + 1, errorSeries);
    assertEquals(1000.0 - Metrics.MAX_LABEL_VALUES,
        samples.get("p2pshare_transfer_errors_total{kind=\"other\"}"));
    assertEquals(1000.0 - Metrics.MAX_LABEL_VALUES,
        samples.get("p2pshare_request_duration_seconds_count{type=\"other\"}"));
  }

  /** The registry in text format without HTTP. */
  private static String scrapeText(Metrics metrics) {
    try {
      var out = new java.io.ByteArrayOutputStream();
      io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create()
          .write(out, metrics.registry().scrape());
      return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void closedExporterFreesItsPort() throws Exception {
    Metrics metrics = new Metrics("peer", "peer1");
    int port;
    try (MetricsExporter exporter = MetricsExporter.start(metrics, "127.0.0.1", 0)) {
      port = exporter.port();
    }
    // The same port can be bound again at once: close released it.
    try (java.net.ServerSocket again = new java.net.ServerSocket()) {
      again.setReuseAddress(true);
      again.bind(new java.net.InetSocketAddress("127.0.0.1", port));
    }
  }
}
