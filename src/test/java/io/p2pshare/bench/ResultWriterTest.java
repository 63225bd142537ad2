package io.p2pshare.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultWriterTest {
  @TempDir Path dir;

  static LatencyStats latencies() {
    Histogram h = LatencyStats.newHistogram();
    for (long ms = 1; ms <= 100; ms++) {
      h.recordValue(ms * 1_000_000L);
    }
    return LatencyStats.of(h);
  }

  @Test
  void weakRunRecordsMachineCommitParametersAndEveryLevelField() throws Exception {
    BenchRun run = BenchRun.of(BenchRun.WEAK, "quick", Map.of("requests_per_client", 10),
        List.of(new WeakLevel(2, 20, 0.5, 40.0, latencies(), 0)));
    Path file = ResultWriter.write(dir.resolve("results/weak.json"), run);
    JsonNode root = ResultWriter.read(file);

    assertEquals("weak_scaling", root.get("benchmark").asText());
    assertEquals("quick", root.get("mode").asText());
    assertTrue(root.get("git_commit").asText().matches("[0-9a-f]{40}|unknown"));
    assertFalse(root.get("date").asText().isEmpty());
    assertTrue(root.at("/machine/cores").asInt() >= 1);
    assertFalse(root.at("/machine/jvm_version").asText().isEmpty());
    assertTrue(root.at("/machine/max_heap_bytes").asLong() > 0);
    assertTrue(root.at("/machine/heap_flags").isArray());
    assertTrue(root.at("/machine/load_average").isNumber());
    assertEquals(10, root.at("/parameters/requests_per_client").asInt());

    JsonNode level = root.get("levels").get(0);
    for (String f : List.of("concurrency", "requests", "seconds", "requests_per_second", "errors")) {
      assertTrue(level.has(f), f);
    }
    JsonNode lat = level.get("latency_ms");
    for (String f : List.of("mean", "stdev", "min", "max", "p50", "p90", "p99", "p999")) {
      assertTrue(lat.has(f), f);
    }
    assertEquals(1.0, lat.get("min").asDouble(), 0.01);
    assertEquals(50.0, lat.get("p50").asDouble(), 0.1);
    assertEquals(99.0, lat.get("p99").asDouble(), 0.1);
    assertFalse(Files.exists(dir.resolve("results/weak.json.tmp")));
  }

  @Test
  void strongRunRecordsThroughputVerificationAndBaselineRatio() throws Exception {
    BenchRun run = BenchRun.of(BenchRun.STRONG, "sweep", Map.of("kb", 2),
            List.of(new StrongLevel(1, 2, 2048, 0.25, 8192, latencies(), 0, 0, 0.8)))
        .withBaseline(Map.of("tool", "nginx+curl", "levels", List.of(Map.of("concurrency", 1,
            "throughput_bytes_per_second", 10240))));
    JsonNode root = ResultWriter.read(ResultWriter.write(dir.resolve("strong.json"), run));
    JsonNode level = root.get("levels").get(0);
    for (String f : List.of("files", "bytes", "seconds", "throughput_bytes_per_second",
        "verification_failures", "latency_ms")) {
      assertTrue(level.has(f), f);
    }
    assertEquals(0.8, level.get("ratio_to_baseline").asDouble(), 1e-9);
    assertEquals("nginx+curl", root.at("/baseline/tool").asText());
  }
}
