package io.p2pshare.bench;

import io.p2pshare.transfer.PieceHasher;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * Strong scaling: the same files at every level, split round-robin over {@code c} workers that
 * each download their share in sequence. Throughput = bytes / wall seconds of the level. After
 * the timed window every file is re-hashed independently and compared with the expected hash.
 */
public final class StrongScaling {
  /** The knobs of one run, all recorded in the result. */
  public record Params(List<Integer> levels, Path workDir, String downloader, int warmupFiles,
      int repeat) {
    public Params {
      if (repeat < 1) {
        throw new IllegalArgumentException("repeat must be at least 1");
      }
    }

    public Params(List<Integer> levels, Path workDir, String downloader, int warmupFiles) {
      this(levels, workDir, downloader, warmupFiles, 1);
    }

    public Params(List<Integer> levels, Path workDir, String downloader) {
      this(levels, workDir, downloader, 0);
    }
  }

  private final Params params;
  private final List<FileSpec> files;
  private final Downloader.Factory factory;
  private final PrintStream progress;
  private final Map<String, Object> extraParameters;

  public StrongScaling(Params params, List<FileSpec> files, Downloader.Factory factory,
      Map<String, Object> extraParameters, PrintStream progress) {
    this.params = params;
    this.files = List.copyOf(files);
    this.factory = factory;
    this.extraParameters = extraParameters;
    this.progress = progress;
  }

  public BenchRun run(String mode) throws Exception {
    return run(mode, null);
  }

  /**
   * As {@link #run(String)}; with {@code leftForCaller} the downloaded files stay and their
   * directories are added to it, for the caller to remove with {@link #deleteAll} once a later
   * measurement (the baseline) has run: deleting thousands of files slows file creation on this
   * machine for over 30 s, and the baseline must not pay for our clean-up.
   */
  public BenchRun run(String mode, List<Path> leftForCaller) throws Exception {
    // Every level (and warm-up pass) writes into a fresh directory and nothing is deleted
    // until the end: on ext4 without a journal, creating files within ~30 s of deleting
    // others costs a lookup per recently deleted inode, which would tax each level with the
    // previous one's clean-up (bench/README.md). The baseline script does the same.
    List<Path> written = new ArrayList<>();
    try {
      if (params.warmupFiles() > 0) {
        // JIT and connection warm-up of both sides (nginx needs none); not recorded. A JVM's
        // per-file path needs a few thousand runs to be compiled: whole passes over the
        // workload, each into its own directory, until warmupFiles downloads are done.
        int max = params.levels().stream().mapToInt(i -> i).max().orElse(1);
        int left = params.warmupFiles();
        for (int pass = 1; left > 0; pass++) {
          List<FileSpec> set = warmupSet(left);
          StrongLevel w = runLevel(max, set, "warmup-" + pass, written);
          left -= set.size();
          if (pass % 10 == 0 || left <= 0) {
            // how far the JVMs are from steady state: the pass times should have levelled off
            progress.printf("warm-up c=%d: %,d of %,d downloads, pass %d took %.3f s%n", max,
                params.warmupFiles() - Math.max(0, left), params.warmupFiles(), pass, w.seconds());
          }
        }
      }
      List<StrongLevel> levels = new ArrayList<>();
      for (int c : params.levels()) {
        StrongLevel level = medianOf(c, written);
        levels.add(level);
        progress.printf("strong c=%-3d %,6d files %,14d bytes %8.2f s %10.1f MiB/s  p50 %.3f ms  p99 %.3f ms  "
                + "verification failures %d  errors %d%n",
            c, level.files(), level.bytes(), level.seconds(),
            level.throughputBytesPerSecond() / (1024 * 1024), level.latencyMs().p50(),
            level.latencyMs().p99(), level.verificationFailures(), level.errors());
      }
      return BenchRun.of(BenchRun.STRONG, mode, parameters(), levels);
    } finally {
      if (leftForCaller != null) {
        leftForCaller.addAll(written);
      } else {
        deleteAll(written);
      }
    }
  }

  /** Removes the directories a run left for its caller. */
  public static void deleteAll(List<Path> dirs) throws IOException {
    for (Path p : dirs) {
      deleteTree(p);
    }
  }

  /**
   * Level {@code c} run {@code repeat} times, each into its own directory; the run with the
   * median throughput is kept (as the baseline script does), with every run's seconds beside
   * it. A level lasts a few hundred milliseconds, so one stall on a shared machine would
   * otherwise decide it.
   */
  private StrongLevel medianOf(int c, List<Path> written) throws Exception {
    List<StrongLevel> runs = new ArrayList<>();
    for (int r = 1; r <= params.repeat(); r++) {
      runs.add(runLevel(c, files, "level-" + c + "-run-" + r, written));
    }
    List<Double> seconds = runs.stream().map(StrongLevel::seconds).toList();
    List<StrongLevel> byThroughput = new ArrayList<>(runs);
    byThroughput.sort(Comparator.comparingDouble(StrongLevel::throughputBytesPerSecond));
    // Failures and errors of any run count: a median must not hide a broken one.
    long failures = runs.stream().mapToLong(StrongLevel::verificationFailures).sum();
    long errors = runs.stream().mapToLong(StrongLevel::errors).sum();
    return byThroughput.get((runs.size() - 1) / 2).withRuns(seconds, failures, errors);
  }

  /** Every k-th file, so the warm-up sees each size class of the workload. */
  private List<FileSpec> warmupSet(int n) {
    int step = Math.max(1, files.size() / Math.max(1, n));
    List<FileSpec> set = new ArrayList<>();
    for (int i = 0; i < files.size() && set.size() < n; i += step) {
      set.add(files.get(i));
    }
    return set;
  }

  /** One level into a new directory (named after {@code dirName}), added to {@code written}. */
  private StrongLevel runLevel(int c, List<FileSpec> files, String dirName, List<Path> written)
      throws Exception {
    Files.createDirectories(params.workDir());
    Path out = Files.createTempDirectory(params.workDir(), dirName + "-");
    written.add(out);
    List<List<FileSpec>> shares = new ArrayList<>();
    for (int i = 0; i < c; i++) {
      shares.add(new ArrayList<>());
    }
    for (int i = 0; i < files.size(); i++) {
      shares.get(i % c).add(files.get(i));
    }
    AtomicLong errors = new AtomicLong();
    List<Map<String, Histogram>> hists = new ArrayList<>();
    List<Downloader> downloaders = new ArrayList<>();
    for (int i = 0; i < c; i++) {
      hists.add(new java.util.TreeMap<>());
      downloaders.add(factory.open());
    }
    ExecutorService pool = Executors.newFixedThreadPool(c, r -> {
      Thread t = new Thread(r, "bench-download");
      t.setDaemon(true);
      return t;
    });
    long start;
    long nanos;
    try {
      start = System.nanoTime();
      List<Future<?>> running = new ArrayList<>();
      for (int i = 0; i < c; i++) {
        Downloader d = downloaders.get(i);
        Map<String, Histogram> h = hists.get(i);
        List<FileSpec> share = shares.get(i);
        running.add(pool.submit(() -> {
          try {
            d.prepare(share); // inside the window: in the level's seconds, not in per-file latency
          } catch (Exception e) {
            progress.println("worker lookup failed (each file will search on its own): " + e.getMessage());
          }
          for (FileSpec f : share) {
            long t0 = System.nanoTime();
            try {
              d.download(f, out);
              h.computeIfAbsent(sizeClass(f.name()), k -> LatencyStats.newHistogram())
                  .recordValue(Math.max(1, System.nanoTime() - t0));
            } catch (Exception e) {
              errors.incrementAndGet();
              progress.println("download of " + f.name() + " failed: " + e.getMessage());
            }
          }
          return null;
        }));
      }
      for (Future<?> f : running) {
        f.get();
      }
      nanos = System.nanoTime() - start;
    } finally {
      pool.shutdownNow();
      for (Downloader d : downloaders) {
        d.close();
      }
    }
    long failures = 0;
    long bytes = 0;
    for (FileSpec f : files) {
      Path p = out.resolve(f.name());
      if (!Files.isRegularFile(p)) {
        continue; // counted as a download error already
      }
      long size = Files.size(p);
      bytes += size;
      if (size != f.size() || f.sha256() != null && !f.sha256().equals(sha256(p))) {
        failures++;
      }
    }
    Histogram all = LatencyStats.newHistogram();
    Map<String, Histogram> byClass = new java.util.TreeMap<>();
    for (Map<String, Histogram> m : hists) {
      m.forEach((k, h) -> {
        all.add(h);
        byClass.computeIfAbsent(k, x -> LatencyStats.newHistogram()).add(h);
      });
    }
    Map<String, LatencyStats> classStats = new LinkedHashMap<>();
    byClass.forEach((k, h) -> classStats.put(k, LatencyStats.of(h)));
    double seconds = nanos / 1e9;
    return new StrongLevel(c, files.size(), bytes, WeakScaling.round3(seconds),
        seconds > 0 ? Math.round(bytes / seconds) : 0, LatencyStats.of(all), failures,
        errors.get(), null, classStats);
  }

  private Map<String, Object> parameters() {
    Map<String, Object> p = new LinkedHashMap<>(extraParameters);
    p.put("levels", params.levels());
    p.put("files", files.size());
    p.put("bytes", files.stream().mapToLong(FileSpec::size).sum());
    p.put("downloader", params.downloader());
    p.put("warmup_files", params.warmupFiles());
    p.put("repeat", params.repeat());
    p.put("pick", "the run with the median throughput per level; failures and errors summed over all runs");
    p.put("split", "round-robin over workers, each worker sequential");
    p.put("lookup", "get: each worker sends its whole share's exact searches at once and reads "
        + "each answer just before that file's fetch (all inside the timed window; a file's "
        + "latency includes the wait for its answer)");
    p.put("verification", "SHA-256 of every downloaded file, after the timed window");
    return p;
  }

  /** {@code kb}, {@code mb} or {@code gb} from a generated name, else {@code other}. */
  static String sizeClass(String name) {
    for (String c : List.of("kb", "mb", "gb")) {
      if (name.contains("_" + c + "_")) {
        return c;
      }
    }
    return "other";
  }

  static String sha256(Path p) throws IOException {
    MessageDigest md = PieceHasher.sha256();
    byte[] buf = new byte[256 * 1024];
    try (InputStream in = Files.newInputStream(p)) {
      int r;
      while ((r = in.read(buf)) > 0) {
        md.update(buf, 0, r);
      }
    }
    return PieceHasher.hex(md.digest());
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
