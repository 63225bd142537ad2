package io.p2pshare.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pshare.cli.Main;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThroughputPlotTest {
  @TempDir Path dir;

  private Path sweep() throws Exception {
    LatencyStats lat = ResultWriterTest.latencies();
    BenchRun run = BenchRun.of(BenchRun.STRONG, "sweep", Map.of(), List.of(
            new StrongLevel(1, 2, 1 << 20, 1.0, 1 << 20, lat, 0, 0, null),
            new StrongLevel(2, 2, 1 << 20, 0.5, 2 << 20, lat, 0, 0, null),
            new StrongLevel(4, 2, 1 << 20, 0.25, 4 << 20, lat, 0, 0, null)))
        .withBaseline(Map.of("tool", "nginx+curl", "levels", List.of(
            Map.of("concurrency", 1, "throughput_bytes_per_second", 2 << 20),
            Map.of("concurrency", 2, "throughput_bytes_per_second", 4 << 20),
            Map.of("concurrency", 4, "throughput_bytes_per_second", 8 << 20))));
    return ResultWriter.write(dir.resolve("strong_scaling_sweep.json"), run);
  }

  @Test
  void plotCommandWritesADecodablePngOfTheRequestedSizeAndACsv() throws Exception {
    Path png = dir.resolve("out/strong_throughput.png");
    int code = Main.commandLine().execute("plot", "--input", sweep().toString(),
        "--output", png.toString(), "--width", "640", "--height", "400");
    assertEquals(0, code);
    assertTrue(Files.size(png) > 0);
    BufferedImage img = ImageIO.read(png.toFile());
    assertNotNull(img);
    assertEquals(640, img.getWidth());
    assertEquals(400, img.getHeight());

    List<String> csv = Files.readAllLines(dir.resolve("out/strong_throughput.csv"));
    assertEquals("concurrency,p2pshare_MiB_s,baseline_MiB_s,ratio", csv.get(0));
    assertEquals("1,1.000,2.000,0.500", csv.get(1));
    assertEquals(4, csv.size());
  }

  @Test
  void weakRunIsPlottedInRequestsPerSecondWithoutBaseline() throws Exception {
    BenchRun run = BenchRun.of(BenchRun.WEAK, "quick", Map.of(), List.of(
        new WeakLevel(1, 10, 1.0, 10.0, ResultWriterTest.latencies(), 0),
        new WeakLevel(8, 80, 1.0, 80.0, ResultWriterTest.latencies(), 0)));
    Path json = ResultWriter.write(dir.resolve("weak.json"), run);
    Path csv = ThroughputPlot.plot(json, dir.resolve("weak.png"), 300, 200);
    assertEquals(List.of("concurrency,p2pshare_requests_s", "1,10.000", "8,80.000"),
        Files.readAllLines(csv));
    assertEquals(300, ImageIO.read(dir.resolve("weak.png").toFile()).getWidth());
  }

  @Test
  void aMissingInputIsAnErrorNotAStackTrace() {
    int code = Main.commandLine().execute("plot", "--input", dir.resolve("nope.json").toString(),
        "--output", dir.resolve("x.png").toString());
    assertEquals(1, code);
  }
}
