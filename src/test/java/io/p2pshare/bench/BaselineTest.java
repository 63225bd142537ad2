package io.p2pshare.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BaselineTest {
  @Test
  void ratioIsOursOverTheBaselineAtTheSameConcurrency() {
    LatencyStats lat = ResultWriterTest.latencies();
    List<StrongLevel> ours = List.of(
        new StrongLevel(1, 1, 100, 1, 70, lat, 0, 0, null),
        new StrongLevel(4, 1, 100, 1, 300, lat, 0, 0, null));
    Map<String, Object> base = Map.of("levels", List.of(
        Map.of("concurrency", 1, "throughput_bytes_per_second", 100),
        Map.of("concurrency", 2, "throughput_bytes_per_second", 200)));
    List<StrongLevel> out = Baseline.withRatios(ours, base);
    assertEquals(0.7, out.get(0).ratioToBaseline(), 1e-9);
    assertNull(out.get(1).ratioToBaseline(), "no baseline level 4, no ratio");
  }
}
