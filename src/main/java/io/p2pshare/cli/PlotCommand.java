package io.p2pshare.cli;

import io.p2pshare.bench.ThroughputPlot;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code plot --input F --output F.png}: throughput against concurrency, plus a CSV beside it. */
@Command(name = "plot", mixinStandardHelpOptions = true,
    description = "Plot throughput against concurrency from a bench result JSON (PNG + CSV).")
public final class PlotCommand implements Callable<Integer> {
  @Option(names = "--input", required = true, description = "result JSON (e.g. bench/results/strong_scaling_sweep.json)")
  Path input;

  @Option(names = "--output", required = true, description = "PNG to write; the CSV goes beside it")
  Path output;

  @Option(names = "--width", defaultValue = "800", description = "image width in pixels (default ${DEFAULT-VALUE})")
  int width;

  @Option(names = "--height", defaultValue = "500", description = "image height in pixels (default ${DEFAULT-VALUE})")
  int height;

  @Override
  public Integer call() throws Exception {
    if (width < 100 || height < 100) {
      throw new UsageException("--width and --height must be at least 100 pixels");
    }
    Path csv = ThroughputPlot.plot(input, output, width, height);
    System.out.println("wrote " + output + " and " + csv);
    return 0;
  }
}
