package io.p2pshare.bench;

import io.p2pshare.config.Endpoint;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Weak scaling: at each level N, N clients issue {@code perClient} exact-name searches each. */
public final class WeakScaling {
  /** The knobs of one run, all recorded in the result. */
  public record Params(
      Endpoint index, List<Integer> levels, long perClient, long warmupRequests, long seed,
      long timeoutMs) {}

  private final Params params;
  private final List<String> names;
  private final PrintStream progress;

  public WeakScaling(Params params, List<String> names, PrintStream progress) {
    this.params = params;
    this.names = List.copyOf(names);
    this.progress = progress;
  }

  public BenchRun run(String mode) throws IOException {
    SearchLoad load = new SearchLoad(params.index(), names, params.timeoutMs());
    if (params.warmupRequests() > 0) {
      // JIT and connection warm-up on both sides; not recorded.
      int clients = Math.max(1, params.levels().stream().mapToInt(i -> i).max().orElse(1));
      load.run(clients, Math.max(1, params.warmupRequests() / clients), params.seed() - 1);
    }
    List<WeakLevel> levels = new ArrayList<>();
    for (int n : params.levels()) {
      SearchLoad.Outcome o = load.run(n, params.perClient(), params.seed() + n);
      WeakLevel level = toLevel(n, o);
      levels.add(level);
      progress.printf("weak  N=%-3d %,10d requests %8.2f s %,12.0f req/s  p50 %.3f ms  p99 %.3f ms  errors %d%n",
          n, level.requests(), level.seconds(), level.requestsPerSecond(),
          level.latencyMs().p50(), level.latencyMs().p99(), level.errors());
    }
    return BenchRun.of(BenchRun.WEAK, mode, parameters(), levels);
  }

  static WeakLevel toLevel(int n, SearchLoad.Outcome o) {
    double seconds = o.nanos() / 1e9;
    return new WeakLevel(n, o.requests(), round3(seconds),
        seconds > 0 ? Math.round(o.requests() / seconds * 10.0) / 10.0 : 0,
        LatencyStats.of(o.latencies()), o.errors());
  }

  private Map<String, Object> parameters() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("index", params.index().host() + ":" + params.index().port());
    p.put("levels", params.levels());
    p.put("requests_per_client", params.perClient());
    p.put("warmup_requests", params.warmupRequests());
    p.put("names", names.size());
    p.put("query", "exact file_name, uniform random over the names");
    p.put("client", "one selector thread, one persistent connection and one request in flight per client");
    p.put("seed", params.seed());
    return p;
  }

  static double round3(double v) {
    return Math.round(v * 1000.0) / 1000.0;
  }
}
