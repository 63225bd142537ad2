package io.p2pshare.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pshare.protocol.StatsResponse;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StatsPollerTest {
  private static double gauge(Metrics m, String name) {
    for (MetricSnapshot s : m.registry().scrape()) {
      if (s.getMetadata().getPrometheusName().equals(name)) {
        return ((GaugeSnapshot) s).getDataPoints().get(0).getValue();
      }
    }
    throw new AssertionError("no metric " + name);
  }

  @Test
  void aPollSetsTheGaugesAndAFailedOneKeepsThem() {
    Metrics m = new Metrics("index", "index");
    AtomicInteger calls = new AtomicInteger();
    try (StatsPoller p = StatsPoller.manual(m, () -> {
      if (calls.incrementAndGet() > 1) {
        throw new IllegalStateException("index unreachable");
      }
      return new StatsResponse("ok", 2, 1, 10L, 20L, 3L,
          new StatsResponse.TaskCounts(4L, 0L, 0L, 0L), 1L);
    })) {
      assertTrue(p.pollOnce());
      assertFalse(p.pollOnce(), "a failing source is reported, not thrown");
    }
    assertEquals(10.0, gauge(m, "p2pshare_files"));
    assertEquals(20.0, gauge(m, "p2pshare_index_entries"));
    assertEquals(3.0, gauge(m, "p2pshare_under_replicated_files"));
  }

  @Test
  void pollsRepeatedly() throws Exception {
    Metrics m = new Metrics("index", "index");
    CountDownLatch three = new CountDownLatch(3);
    try (StatsPoller p = StatsPoller.start(m, () -> {
      three.countDown();
      return new StatsResponse("ok", 1, 1, 1L, 1L, 0L, null, 1L);
    }, Duration.ofMillis(10))) {
      assertTrue(three.await(30, TimeUnit.SECONDS));
    }
  }
}
