package io.p2pshare.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Throughput against concurrency from a result file: one point per level, plus the reference
 * baseline's line when the file carries one. Writes the PNG and a CSV of the same numbers.
 */
public final class ThroughputPlot {
  /** The series read from a result file: x = concurrency, y in {@code unit}. */
  public record Series(String benchmark, String unit, String yTitle, Map<Integer, Double> ours,
      String baselineTool, Map<Integer, Double> baseline) {}

  private static final double MIB = 1024.0 * 1024.0;

  public static Series read(Path input) throws IOException {
    JsonNode root = ResultWriter.read(input);
    String benchmark = root.path("benchmark").asText("");
    boolean weak = BenchRun.WEAK.equals(benchmark);
    Map<Integer, Double> ours = points(root.path("levels"), weak);
    if (ours.isEmpty()) {
      throw new IOException(input + " has no levels to plot");
    }
    JsonNode base = root.path("baseline");
    Map<Integer, Double> baseline = base.isObject() ? points(base.path("levels"), weak) : Map.of();
    String tool = base.isObject() ? base.path("tool").asText("baseline") : null;
    return weak
        ? new Series(benchmark, "requests/s", "Searches per second", ours, tool, baseline)
        : new Series(benchmark, "MiB/s", "Throughput (MiB/s)", ours, tool, baseline);
  }

  private static Map<Integer, Double> points(JsonNode levels, boolean weak) {
    Map<Integer, Double> m = new TreeMap<>();
    for (JsonNode l : levels) {
      if (!l.has("concurrency")) {
        continue;
      }
      double y = weak ? l.path("requests_per_second").asDouble()
          : l.path("throughput_bytes_per_second").asDouble() / MIB;
      m.put(l.path("concurrency").asInt(), y);
    }
    return m;
  }

  /** Writes {@code output} (PNG, width × height) and the CSV beside it; returns the CSV path. */
  public static Path plot(Path input, Path output, int width, int height) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Series s = read(input);
    boolean weak = BenchRun.WEAK.equals(s.benchmark());
    XYChart chart = new XYChartBuilder().width(width).height(height)
        .title(weak ? "p2pshare search throughput vs concurrency (weak scaling)"
            : "p2pshare download throughput vs concurrency (strong scaling)")
        .xAxisTitle(weak ? "Concurrent clients (N)" : "Concurrent downloads")
        .yAxisTitle(s.yTitle())
        .build();
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setXAxisDecimalPattern("#");
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    addSeries(chart, "p2pshare", s.ours());
    if (!s.baseline().isEmpty()) {
      addSeries(chart, "baseline (" + s.baselineTool() + ")", s.baseline());
    }
    byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    writeAtomically(output, png);
    Path csv = csvPath(output);
    writeAtomically(csv, csv(s).getBytes(StandardCharsets.UTF_8));
    return csv;
  }

  private static void addSeries(XYChart chart, String name, Map<Integer, Double> points) {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    points.forEach((x, y) -> {
      xs.add(x.doubleValue());
      ys.add(y);
    });
    XYSeries series = chart.addSeries(name, xs, ys);
    series.setMarker(SeriesMarkers.CIRCLE);
  }

  static String csv(Series s) {
    String unit = s.unit().replace('/', '_');
    StringBuilder b = new StringBuilder("concurrency,p2pshare_" + unit);
    boolean withBase = !s.baseline().isEmpty();
    if (withBase) {
      b.append(",baseline_").append(unit).append(",ratio");
    }
    b.append('\n');
    for (Map.Entry<Integer, Double> e : s.ours().entrySet()) {
      b.append(e.getKey()).append(',').append(fmt(e.getValue()));
      if (withBase) {
        Double base = s.baseline().get(e.getKey());
        b.append(',').append(base == null ? "" : fmt(base)).append(',')
            .append(base == null || base == 0 ? "" : fmt(e.getValue() / base));
      }
      b.append('\n');
    }
    return b.toString();
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  static Path csvPath(Path png) {
    String name = png.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return png.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".csv");
  }

  private static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path abs = file.toAbsolutePath();
    Files.createDirectories(abs.getParent());
    Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
    Files.write(tmp, bytes);
    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private ThroughputPlot() {}
}
