package io.p2pshare.bench;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One result file: what ran, where, on which commit, with which parameters, and one entry per
 * level ({@link WeakLevel} or {@link StrongLevel}). A sweep carries the reference baseline
 * measured on the same files beside its own levels.
 */
public record BenchRun(
    String benchmark, String mode, String tool, String date, String gitCommit, MachineInfo machine,
    Map<String, Object> parameters, List<?> levels, Map<String, Object> baseline) {

  public static final String WEAK = "weak_scaling";
  public static final String STRONG = "strong_scaling";

  public static BenchRun of(String benchmark, String mode, Map<String, Object> parameters,
      List<?> levels) {
    return new BenchRun(benchmark, mode, "p2pshare",
        Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), GitInfo.commit(),
        MachineInfo.current(), new LinkedHashMap<>(parameters), List.copyOf(levels), null);
  }

  public BenchRun withLevels(List<?> newLevels) {
    return new BenchRun(benchmark, mode, tool, date, gitCommit, machine, parameters,
        List.copyOf(newLevels), baseline);
  }

  public BenchRun withBaseline(Map<String, Object> baselineRun) {
    return new BenchRun(benchmark, mode, tool, date, gitCommit, machine, parameters, levels,
        baselineRun);
  }
}
