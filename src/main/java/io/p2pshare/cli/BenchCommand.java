package io.p2pshare.cli;

import io.p2pshare.bench.Baseline;
import io.p2pshare.bench.BenchRun;
import io.p2pshare.bench.Downloaders;
import io.p2pshare.bench.FileSpec;
import io.p2pshare.bench.ResultWriter;
import io.p2pshare.bench.SelfContained;
import io.p2pshare.bench.StrongLevel;
import io.p2pshare.bench.StrongScaling;
import io.p2pshare.bench.WeakScaling;
import io.p2pshare.bench.Workload;
import io.p2pshare.config.AppConfig;
import io.p2pshare.config.ConfigLoader;
import io.p2pshare.config.Endpoint;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.FrameSocket;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchRequest;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench quick|weak|strong|sweep|baseline}: the benchmark jobs. Results go to
 * {@code bench/results/} as JSON; progress goes to stderr, one line per level.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmark jobs: weak scaling (searches), strong scaling (downloads), sweep with the nginx+curl baseline.",
    subcommands = {BenchCommand.Quick.class, BenchCommand.Weak.class, BenchCommand.Strong.class,
        BenchCommand.Sweep.class, BenchCommand.BaselineCmd.class})
public final class BenchCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UsageException("choose a job: bench quick|weak|strong|sweep|baseline");
  }

  /** Where the system under test is, or how to start one. */
  static final class Target {
    @Option(names = "--peer", defaultValue = "peer1", description = "peer whose generated files are the workload (default ${DEFAULT-VALUE})")
    String peer;

    @Option(names = "--config", description = "config file (default: P2P_CONFIG, else config/config.json)")
    Path config;

    @Option(names = "--index", description = "index host:port (default: P2P_INDEX, else the config's server)")
    String index;

    @Option(names = "--self-contained", description = "start an own index and peer on loopback with free ports and a temp dataset")
    boolean selfContained;

    @Option(names = "--child-jvm-opts", defaultValue = "-Xms256m -Xmx1g", description = "JVM options of self-contained children (default ${DEFAULT-VALUE})")
    String childJvmOpts;

    @Option(names = "--seed", defaultValue = "42", description = "random seed for name choice")
    long seed;
  }

  static final class WeakOptions {
    @Option(names = "--levels", arity = "1..*", defaultValue = "1 2 4 8", split = " ",
        description = "client counts N (default ${DEFAULT-VALUE})")
    List<Integer> levels;

    @Option(names = "--requests-per-client", defaultValue = "10000", description = "searches per client per level (default ${DEFAULT-VALUE})")
    long perClient;

    @Option(names = "--warmup", defaultValue = "20000", description = "unrecorded warm-up searches before the first level (default ${DEFAULT-VALUE})")
    long warmup;
  }

  static final class StrongOptions {
    @Option(names = "--kb", defaultValue = "200", description = "1 KiB files in the workload (default ${DEFAULT-VALUE})")
    int kb;

    @Option(names = "--mb", defaultValue = "20", description = "1 MiB files (default ${DEFAULT-VALUE})")
    int mb;

    @Option(names = "--gb", defaultValue = "0", description = "1 GiB files (default ${DEFAULT-VALUE})")
    int gb;

    @Option(names = "--concurrency", arity = "1..*", defaultValue = "1 2 4", split = " ",
        description = "concurrent downloads per level (default ${DEFAULT-VALUE})")
    List<Integer> levels;

    @Option(names = "--downloader", defaultValue = Downloaders.GET,
        description = "get (the peer's download code, default) or wire (a plain blocking OBTAIN client)")
    String downloader;

    @Option(names = "--work-dir", description = "where downloads land (default: a temp dir on this disk)")
    Path workDir;

    @Option(names = "--warmup-files", defaultValue = "22000", description = "unrecorded warm-up downloads before the first level, in passes over the workload, to bring the three JVMs (index, peer, client) to the steady state of long-running servers (default ${DEFAULT-VALUE}: a hundred passes over the default workload; the pass times level off after about 15,000)")
    int warmupFiles;

    @Option(names = "--repeat", defaultValue = "3", description = "timed runs per level; the run with the median throughput is kept, here and in the baseline (default ${DEFAULT-VALUE})")
    int repeat;

    Workload.Counts counts() {
      if (repeat < 1) {
        throw new UsageException("--repeat needs at least 1");
      }
      if (kb < 0 || mb < 0 || gb < 0 || kb + mb + gb == 0) {
        throw new UsageException("the workload needs at least one file (--kb/--mb/--gb)");
      }
      return new Workload.Counts(kb, mb, gb);
    }
  }

  /** The system under test: either the configured one or a self-contained one. */
  static final class Sut implements AutoCloseable {
    final Endpoint index;
    final AppConfig config;
    final String peer;
    final Path sourceDir;
    final SelfContained own;
    final Map<String, Object> description = new LinkedHashMap<>();
    private Path tempWork;

    Sut(Target t, Workload.Counts generate, PrintStream progress) throws Exception {
      this.peer = t.peer;
      if (t.selfContained) {
        own = SelfContained.start(t.peer, generate, t.childJvmOpts, progress);
        config = ConfigLoader.read(own.configFile());
        index = own.index();
        sourceDir = own.sharedDir();
        description.putAll(own.describe(t.childJvmOpts));
      } else {
        own = null;
        ConfigLoader loader = ConfigLoader.fromSystem();
        config = loader.load(t.config);
        index = loader.indexEndpoint(t.index, config);
        AppConfig.PeerDirs dirs = config.data().peers().get(t.peer);
        Path shared = dirs != null && dirs.sharedDir() != null ? Path.of(dirs.sharedDir())
            : Path.of(config.data().baseDir(), t.peer, "shared");
        sourceDir = Files.isDirectory(shared) ? shared : null;
        description.put("self_contained", false);
        description.put("index", index.host() + ":" + index.port());
        description.put("peer", t.peer);
      }
    }

    /**
     * The generated names of every size class the index knows (a peer generated with
     * {@code --sizes kb,mb} has no gb file; searching for it would count as errors).
     */
    List<String> names() throws IOException {
      AppConfig.FileGeneration gen = config.data().fileGeneration();
      List<String> names = new java.util.ArrayList<>();
      List<String> missing = new java.util.ArrayList<>();
      for (String cls : List.of("kb", "mb", "gb")) {
        AppConfig.SizeClass sc = "kb".equals(cls) ? gen.kb() : "mb".equals(cls) ? gen.mb() : gen.gb();
        if (sc.count() == 0) {
          continue;
        }
        if (searchable(Workload.name(peer, cls, 1))) {
          for (int i = 1; i <= sc.count(); i++) {
            names.add(Workload.name(peer, cls, i));
          }
        } else {
          missing.add(Workload.name(peer, cls, 1));
        }
      }
      if (names.isEmpty()) {
        checkSearchable(missing.isEmpty() ? Workload.name(peer, "kb", 1) : missing.get(0));
      }
      if (!missing.isEmpty()) {
        progress().println("not searched (the index does not know them): " + missing
            + " and the rest of their size class");
      }
      return names;
    }

    /** Fails early with a clear message when the workload's first name is not searchable. */
    void checkSearchable(String name) throws IOException {
      if (!searchable(name)) {
        throw new IOException("index " + index.host() + ":" + index.port() + " does not know "
            + name + ": start " + peer + " with its generated files, or use --self-contained");
      }
    }

    boolean searchable(String name) throws IOException {
      try (FrameSocket s = FrameSocket.connect(index.host(), index.port(), 10_000, "bench")) {
        Envelope r = s.request(MessageType.SEARCH_REQUEST, new SearchRequest(SearchQuery.exact(name)));
        return r.payload() != null && r.payload().path("results").size() > 0;
      } catch (java.net.ConnectException e) {
        throw new IOException("cannot reach the index at " + index.host() + ":" + index.port()
            + " (start it, or use --self-contained)");
      }
    }

    Path workDir(StrongOptions s) throws IOException {
      if (s.workDir != null) {
        return s.workDir;
      }
      if (own != null) {
        return own.workDir();
      }
      if (tempWork == null) {
        tempWork = Files.createTempDirectory("p2pshare-bench-work-");
      }
      return tempWork;
    }

    void failed() {
      if (own != null) {
        own.keepFiles();
      }
    }

    @Override
    public void close() {
      if (own != null) {
        own.close();
      }
      if (tempWork != null) {
        deleteQuietly(tempWork);
      }
    }
  }

  static PrintStream progress() {
    return System.err;
  }

  static BenchRun runWeak(Sut sys, Target t, WeakOptions w, String mode) throws Exception {
    List<String> names = sys.names();
    if (names.isEmpty()) {
      throw new UsageException("the config generates no files for " + t.peer);
    }
    WeakScaling.Params p = new WeakScaling.Params(sys.index, w.levels, w.perClient, w.warmup,
        t.seed, 60_000);
    BenchRun run = new WeakScaling(p, names, progress()).run(mode);
    run.parameters().putAll(sys.description);
    return run;
  }

  static BenchRun runStrong(Sut sys, StrongOptions s, String mode, List<FileSpec> files)
      throws Exception {
    return runStrong(sys, s, mode, files, null);
  }

  /** As above; with {@code leftForCaller} the downloads stay (see {@link StrongScaling#run(String, List)}). */
  static BenchRun runStrong(Sut sys, StrongOptions s, String mode, List<FileSpec> files,
      List<Path> leftForCaller) throws Exception {
    sys.checkSearchable(files.get(0).name());
    Map<String, Object> extra = new LinkedHashMap<>(sys.description);
    extra.put("kb", s.kb);
    extra.put("mb", s.mb);
    extra.put("gb", s.gb);
    StrongScaling.Params p = new StrongScaling.Params(s.levels, sys.workDir(s),
        Downloaders.describe(s.downloader), s.warmupFiles, s.repeat);
    try (Downloaders.Closeable d = Downloaders.factory(s.downloader, sys.index,
        sys.config.peer().pieceSizeBytes())) {
      return new StrongScaling(p, files, d.factory(), extra, progress()).run(mode, leftForCaller);
    }
  }

  static List<FileSpec> files(Sut sys, StrongOptions s) throws IOException {
    return Workload.files(sys.peer, s.counts(), sys.config.data().fileGeneration(), sys.sourceDir);
  }

  static Path write(Path out, BenchRun run) throws IOException {
    ResultWriter.write(out, run);
    progress().println("wrote " + out);
    return out;
  }

  static void checkLevels(List<Integer> levels, String option) {
    if (levels.isEmpty() || levels.stream().anyMatch(l -> l < 1)) {
      throw new UsageException(option + " needs positive levels");
    }
  }

  @Command(name = "quick", mixinStandardHelpOptions = true,
      description = "Weak and strong scaling at a small size; writes weak_scaling_quick.json and strong_scaling_quick.json.")
  static final class Quick implements Callable<Integer> {
    @Mixin Target target;

    @Option(names = "--out-dir", defaultValue = "bench/results", description = "result directory (default ${DEFAULT-VALUE})")
    Path outDir;

    @Override
    public Integer call() throws Exception {
      LogSetup.applyLevel("WARN"); // the job's own progress lines only
      WeakOptions w = new WeakOptions();
      w.levels = List.of(1, 2, 4, 8);
      w.perClient = 5_000;
      w.warmup = 10_000;
      StrongOptions s = new StrongOptions();
      s.kb = 100;
      s.mb = 10;
      s.gb = 0;
      s.levels = List.of(1, 2, 4);
      s.downloader = Downloaders.GET;
      s.warmupFiles = 20;
      s.repeat = 1; // quick: one run per level
      try (Sut sys = new Sut(target, s.counts(), progress())) {
        try {
          // Small by design: never more than the peer generates.
          AppConfig.FileGeneration gen = sys.config.data().fileGeneration();
          s.kb = Math.min(s.kb, gen.kb().count());
          s.mb = Math.min(s.mb, gen.mb().count());
          write(outDir.resolve("weak_scaling_quick.json"), runWeak(sys, target, w, "quick"));
          write(outDir.resolve("strong_scaling_quick.json"),
              runStrong(sys, s, "quick", files(sys, s)));
        } catch (Exception e) {
          sys.failed();
          throw e;
        }
      }
      return 0;
    }
  }

  @Command(name = "weak", mixinStandardHelpOptions = true,
      description = "Weak scaling: N clients × 10,000 exact-name searches each, per level.")
  static final class Weak implements Callable<Integer> {
    @Mixin Target target;
    @Mixin WeakOptions weak;

    @Option(names = "--out", defaultValue = "bench/results/weak_scaling.json", description = "result file (default ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() throws Exception {
      LogSetup.applyLevel("WARN"); // the job's own progress lines only
      checkLevels(weak.levels, "--levels");
      try (Sut sys = new Sut(target, new Workload.Counts(200, 20, 0), progress())) {
        write(out, runWeak(sys, target, weak, "weak"));
      }
      return 0;
    }
  }

  @Command(name = "strong", mixinStandardHelpOptions = true,
      description = "Strong scaling: one download workload split over each concurrency level.")
  static final class Strong implements Callable<Integer> {
    @Mixin Target target;
    @Mixin StrongOptions strong;

    @Option(names = "--out", defaultValue = "bench/results/strong_scaling.json", description = "result file (default ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() throws Exception {
      LogSetup.applyLevel("WARN"); // the job's own progress lines only
      checkLevels(strong.levels, "--concurrency");
      try (Sut sys = new Sut(target, strong.counts(), progress())) {
        write(out, runStrong(sys, strong, "strong", files(sys, strong)));
      }
      return 0;
    }
  }

  @Command(name = "sweep", mixinStandardHelpOptions = true,
      description = "Strong scaling over --concurrency levels plus the nginx+curl baseline on the same files; "
          + "writes strong_scaling_sweep.json with ratios.")
  static final class Sweep implements Callable<Integer> {
    @Mixin Target target;
    @Mixin StrongOptions strong;

    @Option(names = "--out", defaultValue = "bench/results/strong_scaling_sweep.json", description = "result file (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--baseline", defaultValue = "run",
        description = "run (measure nginx+curl now, default), none, or a baseline JSON file to use")
    String baseline;

    @Option(names = "--settle-seconds", defaultValue = "5",
        description = "pause between our levels and the baseline (default ${DEFAULT-VALUE})")
    int settleSeconds;

    @Override
    public Integer call() throws Exception {
      LogSetup.applyLevel("WARN"); // the job's own progress lines only
      checkLevels(strong.levels, "--concurrency");
      try (Sut sys = new Sut(target, strong.counts(), progress())) {
        List<FileSpec> files = files(sys, strong);
        // Our downloads stay until the baseline has run. Deleting them first (thousands of
        // files with the warm-up) made curl's file creations slow for 30-75 s on this ext4:
        // nginx + curl took 0.2 s per level instead of 0.045 s, which flattered our ratio
        // (bench/README.md, fourth round).
        List<Path> ours = new java.util.ArrayList<>();
        BenchRun run;
        Map<String, Object> base;
        try {
          run = runStrong(sys, strong, "sweep", files, ours);
          if ("run".equals(baseline) && settleSeconds > 0) {
            // A moment for our peer's and index's threads to go idle.
            progress().printf("settling %d s before the baseline%n", settleSeconds);
            Thread.sleep(settleSeconds * 1000L);
          }
          base = baseline(sys, files);
        } finally {
          StrongScaling.deleteAll(ours);
        }
        if (base != null) {
          @SuppressWarnings("unchecked")
          List<StrongLevel> levels = (List<StrongLevel>) run.levels();
          run = run.withLevels(Baseline.withRatios(levels, base)).withBaseline(base);
          for (Object o : run.levels()) {
            StrongLevel l = (StrongLevel) o;
            progress().printf("ratio c=%d: %s of the baseline%n", l.concurrency(),
                l.ratioToBaseline() == null ? "n/a" : l.ratioToBaseline());
          }
        }
        write(out, run);
      }
      return 0;
    }

    private Map<String, Object> baseline(Sut sys, List<FileSpec> files) throws Exception {
      if ("none".equals(baseline)) {
        return null;
      }
      if (!"run".equals(baseline)) {
        return ResultWriter.readMap(Path.of(baseline));
      }
      if (sys.sourceDir == null) {
        progress().println("baseline skipped: the peer's files are not on this machine (use --self-contained)");
        return Map.of("skipped", "files not on this machine");
      }
      try {
        return Baseline.run(Baseline.defaultScript(), sys.sourceDir, files, strong.levels, strong.repeat,
            sys.workDir(strong), out.resolveSibling("baseline_nginx.json"), progress());
      } catch (Baseline.Skipped e) {
        progress().println("baseline skipped: " + e.getMessage());
        return Map.of("skipped", e.getMessage());
      }
    }
  }

  @Command(name = "baseline", mixinStandardHelpOptions = true,
      description = "The reference baseline alone: nginx serves the peer's files, curl fetches them (bench/baseline.sh).")
  static final class BaselineCmd implements Callable<Integer> {
    @Mixin StrongOptions strong;

    @Option(names = "--peer", defaultValue = "peer1", description = "whose generated files (default ${DEFAULT-VALUE})")
    String peer;

    @Option(names = "--config", description = "config file (default: P2P_CONFIG, else config/config.json)")
    Path config;

    @Option(names = "--dir", description = "directory holding the files (default: the peer's shared dir)")
    Path dir;

    @Option(names = "--out", defaultValue = "bench/results/baseline_nginx.json", description = "result file (default ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() throws Exception {
      LogSetup.applyLevel("WARN"); // the job's own progress lines only
      checkLevels(strong.levels, "--concurrency");
      AppConfig cfg = ConfigLoader.fromSystem().load(config);
      Path source = dir;
      if (source == null) {
        AppConfig.PeerDirs dirs = cfg.data().peers().get(peer);
        source = dirs != null && dirs.sharedDir() != null ? Path.of(dirs.sharedDir())
            : Path.of(cfg.data().baseDir(), peer, "shared");
      }
      if (!Files.isDirectory(source)) {
        throw new IOException(source + " is not a directory (generate " + peer + "'s files first)");
      }
      List<FileSpec> files = Workload.files(peer, strong.counts(), cfg.data().fileGeneration(), source);
      Path work = strong.workDir != null ? strong.workDir : Files.createTempDirectory("p2pshare-baseline-");
      try {
        Baseline.run(Baseline.defaultScript(), source, files, strong.levels, strong.repeat, work, out,
            progress());
      } catch (Baseline.Skipped e) {
        progress().println("baseline skipped: " + e.getMessage());
        return 0;
      } finally {
        if (strong.workDir == null) {
          deleteQuietly(work);
        }
      }
      progress().println("wrote " + out);
      return 0;
    }
  }

  static void deleteQuietly(Path dir) {
    try (var s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      progress().println("could not remove " + dir + ": " + e.getMessage());
    }
  }
}
