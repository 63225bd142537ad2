package io.p2pshare.jmh;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Exact-name lookups/s on 10,000 names (2 threads, as the index's connection streams read the
 * published view concurrently). The ceiling: a plain ConcurrentHashMap of name → holders.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@Threads(2)
@State(Scope.Benchmark)
public class ShardLookupBench {
  public static final int NAMES = 10_000;
  private String[] names;
  private Map<String, List<String>> ceiling;

  @Setup
  public void setUp() {
    names = new String[NAMES];
    ceiling = new ConcurrentHashMap<>();
    for (int i = 0; i < NAMES; i++) {
      names[i] = String.format("peer1_kb_%05d.txt", i);
      ceiling.put(names[i], List.of("peer1", "peer2"));
    }
  }

  /** Per-thread cursor so threads do not share a counter. */
  @State(Scope.Thread)
  public static class Cursor {
    int i;
  }

  @Benchmark
  public List<String> concurrentHashMapCeiling(Cursor c) {
    c.i = (c.i + 7919) % NAMES;
    return ceiling.get(names[c.i]);
  }
}
