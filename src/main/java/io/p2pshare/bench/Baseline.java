package io.p2pshare.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The reference baseline: {@code bench/baseline.sh} serves the same files with nginx and fetches
 * them with curl at the same concurrency levels, to the same disk. Its JSON has the same level
 * fields as ours, so a sweep can carry it and report ratios.
 */
public final class Baseline {
  /** Exit code of the script when it cannot run here (no nginx and no way to install it). */
  public static final int SKIPPED = 3;

  /** The baseline could not run; the message says why. */
  public static final class Skipped extends Exception {
    public Skipped(String message) {
      super(message, null, false, false);
    }
  }

  public static Path defaultScript() {
    return Path.of("bench", "baseline.sh");
  }

  /** Runs the script (each level {@code repeat} times, median kept) and returns its result file's content. */
  public static Map<String, Object> run(Path script, Path sourceDir, List<FileSpec> files,
      List<Integer> levels, int repeat, Path workDir, Path out, PrintStream progress) throws Exception {
    if (!Files.isRegularFile(script)) {
      throw new Skipped("baseline script " + script + " not found (run from the repository root)");
    }
    Files.createDirectories(workDir);
    Path list = workDir.resolve("baseline-files.txt");
    Files.write(list, files.stream()
        .map(f -> f.name() + " " + f.size() + " " + (f.sha256() == null ? "-" : f.sha256()))
        .collect(Collectors.toList()), StandardCharsets.UTF_8);
    List<String> cmd = new ArrayList<>(List.of("bash", script.toString(),
        "--dir", sourceDir.toAbsolutePath().toString(), "--files", list.toString(),
        "--concurrency", levels.stream().map(String::valueOf).collect(Collectors.joining(" ")),
        "--work-dir", workDir.resolve("baseline").toString(), "--repeat", String.valueOf(repeat),
        "--out", out.toAbsolutePath().toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int code = p.waitFor();
    output.lines().forEach(l -> progress.println("baseline: " + l));
    if (code == SKIPPED) {
      String last = output.lines().reduce("", (a, b) -> b);
      throw new Skipped(last.isBlank() ? "baseline skipped" : last);
    }
    if (code != 0) {
      throw new IOException("baseline script failed with exit code " + code);
    }
    return ResultWriter.readMap(out);
  }

  /** Our levels with {@code ratio_to_baseline} = ours / baseline at the same concurrency. */
  @SuppressWarnings("unchecked")
  public static List<StrongLevel> withRatios(List<StrongLevel> ours, Map<String, Object> baseline) {
    Map<Integer, Double> base = new HashMap<>();
    Object levels = baseline.get("levels");
    if (levels instanceof List<?> l) {
      for (Object o : l) {
        if (o instanceof Map<?, ?> m && m.get("concurrency") instanceof Number c
            && m.get("throughput_bytes_per_second") instanceof Number t) {
          base.put(c.intValue(), t.doubleValue());
        }
      }
    }
    List<StrongLevel> out = new ArrayList<>();
    for (StrongLevel s : ours) {
      Double b = base.get(s.concurrency());
      out.add(s.withRatio(b == null || b == 0 ? null
          : Math.round(s.throughputBytesPerSecond() / b * 1000.0) / 1000.0));
    }
    return out;
  }

  private Baseline() {}
}
