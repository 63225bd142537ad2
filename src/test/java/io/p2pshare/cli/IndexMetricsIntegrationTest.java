package io.p2pshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import io.p2pshare.config.AppConfig;
import io.p2pshare.index.ControlServer;
import io.p2pshare.index.IndexGuardian;
import io.p2pshare.metrics.Metrics;
import io.p2pshare.metrics.PromText;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.FrameSocket;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.protocol.RegistryRequest;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The real index on port 0 with {@code --metrics-port 0}: a registration shows up in a scrape. */
class IndexMetricsIntegrationTest {
  static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void cleanup() {
    testKit.shutdownTestKit();
  }

  @Test
  void registeredPeerAndFilesAppearInTheScrape() throws Exception {
    Metrics recorded = new Metrics("index", "index");
    ActorRef<IndexGuardian.Command> index = testKit.spawn(IndexGuardian.create(
        new IndexGuardian.Settings("127.0.0.1", 0, AppConfig.defaults(),
            (host, port) -> CompletableFuture.completedFuture(true), recorded)));
    TestProbe<ControlServer.Binding> bound = testKit.createTestProbe();
    index.tell(new IndexGuardian.GetBinding(bound.getRef()));
    InetSocketAddress at = ((ControlServer.Bound) bound.receiveMessage(Duration.ofSeconds(30))).address();

    MetricsOptions opts = new MetricsOptions();
    new CommandLine(opts).parseArgs("--metrics-port", "0", "--metrics-host", "127.0.0.1");
    try (IndexMetrics metrics = IndexMetrics.start(opts, recorded, at, 1000)) {
      int port = metrics.port().orElseThrow();
      try (FrameSocket s = FrameSocket.connect("127.0.0.1", at.getPort(), 20_000, "peer9")) {
        s.request(MessageType.REGISTRY_REQUEST, new RegistryRequest(
            new PeerAddress("peer9", "127.0.0.1", 7108),
            Map.of("a.txt", new FileMeta(1L, null), "b.txt", new FileMeta(2L, null)), null, null));
        s.request(MessageType.SEARCH_REQUEST, Map.of("query", Map.of("file_name", "a.txt")));
        s.request(MessageType.SEARCH_REQUEST, Map.of("query", Map.of("file_name", "nope.txt")));
        s.request(MessageType.SEARCH_REQUEST, Map.of("query", Map.of("contains", "TXT")));
      }
      HttpClient http = HttpClient.newHttpClient();
      Map<String, Double> samples = Map.of();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        samples = PromText.parse(http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body());
        if (Double.valueOf(2).equals(samples.get("p2pshare_files"))) {
          break;
        }
        Thread.sleep(100); // the poller refreshes once a second
      }
      assertEquals(2.0, samples.get("p2pshare_files"), samples.toString());
      assertEquals(1.0, samples.get("p2pshare_peers{state=\"live\"}"));
      assertEquals(0.0, samples.get("p2pshare_peers{state=\"dead\"}"));
      assertEquals(2.0, samples.get("p2pshare_index_entries"));
      assertEquals(1.0, samples.get("p2pshare_info{node=\"index\",role=\"index\"}"));
      // Recorded by the connection handler: two hits (exact, contains), one miss.
      assertEquals(2.0, samples.get("p2pshare_searches_total{result=\"hit\"}"));
      assertEquals(1.0, samples.get("p2pshare_searches_total{result=\"miss\"}"));
      assertEquals(0.0, samples.get("p2pshare_searches_total{result=\"error\"}"));
      assertEquals(3.0, samples.get(
          "p2pshare_request_duration_seconds_count{type=\"SEARCH_REQUEST\"}"));
      assertEquals(1.0, samples.get(
          "p2pshare_request_duration_seconds_count{type=\"REGISTRY_REQUEST\"}"));
    }
  }

  @Test
  void withoutTheFlagNothingStarts() {
    try (IndexMetrics metrics = IndexMetrics.start(new MetricsOptions(),
        new Metrics("index", "index"), new InetSocketAddress("127.0.0.1", 1), 1000)) {
      assertEquals(java.util.Optional.empty(), metrics.port());
    }
  }
}
