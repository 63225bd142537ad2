package io.p2pshare.bench;

import io.p2pshare.config.AppConfig;
import io.p2pshare.config.Endpoint;
import io.p2pshare.peer.DatasetGenerator;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.FrameSocket;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchRequest;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away system on loopback for {@code --self-contained}: a temp dir with a config, a
 * small generated dataset for one peer, an index and that peer as child JVMs on free ports.
 * Child processes keep the benchmark client's CPU and GC apart from the servers', as in a real
 * deployment, and use only the documented command line.
 */
public final class SelfContained implements AutoCloseable {
  private final Path root;
  private final String peer;
  private final Endpoint index;
  private final int peerPort;
  private final Path configFile;
  private final List<Process> children = new ArrayList<>();
  private final PrintStream progress;
  private volatile boolean keep;

  private SelfContained(Path root, String peer, Endpoint index, int peerPort, Path configFile,
      PrintStream progress) {
    this.root = root;
    this.peer = peer;
    this.index = index;
    this.peerPort = peerPort;
    this.configFile = configFile;
    this.progress = progress;
  }

  /** Generates the dataset, writes the config, starts index and peer, waits until searchable. */
  public static SelfContained start(String peer, Workload.Counts counts, String childJvmOpts,
      PrintStream progress) throws Exception {
    Path root = Files.createTempDirectory("p2pshare-bench-");
    Endpoint index = new Endpoint("127.0.0.1", freePort());
    int peerPort = freePort();
    Path shared = root.resolve(peer).resolve("shared");
    Files.createDirectories(shared);
    Files.createDirectories(root.resolve("logs"));
    generate(shared, peer, counts);
    Path cfg = root.resolve("config.json");
    Files.writeString(cfg, config(root, peer, index, peerPort, counts));
    SelfContained sc = new SelfContained(root, peer, index, peerPort, cfg, progress);
    try {
      sc.launch("index", childJvmOpts, "index", "--config", cfg.toString(),
          "--host", index.host(), "--port", String.valueOf(index.port()));
      sc.awaitPort(index.port(), "index");
      sc.launch(peer, childJvmOpts, "peer", "--peer", peer, "--headless", "--config",
          cfg.toString(), "--port", String.valueOf(peerPort), "--index",
          index.host() + ":" + index.port());
      sc.awaitSearchable(Workload.name(peer, counts.mb() > 0 ? "mb" : "kb",
          counts.mb() > 0 ? counts.mb() : counts.kb()));
      return sc;
    } catch (Exception e) {
      sc.keepFiles();
      sc.close();
      throw e;
    }
  }

  /** Leave the temp dir (logs, config) in place for a post-mortem. */
  public void keepFiles() {
    keep = true;
  }

  public Endpoint index() {
    return index;
  }

  public Path sharedDir() {
    return root.resolve(peer).resolve("shared");
  }

  public Path workDir() {
    return root.resolve("work");
  }

  public Path configFile() {
    return configFile;
  }

  public int peerPort() {
    return peerPort;
  }

  /** The same dataset {@code generate} makes, with the workload's counts. */
  static void generate(Path dir, String peer, Workload.Counts counts) throws IOException {
    AppConfig.FileGeneration gen = new AppConfig.FileGeneration(
        new AppConfig.SizeClass(counts.kb(), 1024L),
        new AppConfig.SizeClass(counts.mb(), 1024L * 1024),
        new AppConfig.SizeClass(counts.gb(), 1024L * 1024 * 1024), null, null, null);
    DatasetGenerator.generate(dir, DatasetGenerator.plan(peer, List.of("kb", "mb", "gb"), gen),
        gen.seed(), gen.chunkSizeBytes(), line -> { });
  }

  static String config(Path root, String peer, Endpoint index, int peerPort,
      Workload.Counts counts) {
    int n = peerNumber(peer);
    // base_port + n - 1 = the peer's port, so peers derive the same address the index does.
    int basePort = peerPort - (n - 1);
    String dirs = root.resolve(peer).toString().replace("\\", "/");
    return """
        {
          "server": {"host": "%s", "port": %d},
          "peer": {"base_port": %d, "host": "127.0.0.1"},
          "logging": {"level": "WARN", "dir": "%s"},
          "data": {
            "peers": {"%s": {"shared_dir": "%s/shared", "download_dir": "%s/downloaded",
                             "replicated_dir": "%s/replicated"}},
            "file_generation": {"kb": {"count": %d, "size_bytes": 1024},
                                "mb": {"count": %d, "size_bytes": 1048576},
                                "gb": {"count": %d, "size_bytes": 1073741824}}
          }
        }
        """.formatted(index.host(), index.port(), Math.max(1, basePort),
        root.resolve("logs").toString().replace("\\", "/"), peer, dirs, dirs, dirs,
        counts.kb(), counts.mb(), counts.gb());
  }

  static int peerNumber(String peer) {
    String digits = peer.replaceAll("^.*?(\\d+)$", "$1");
    try {
      return digits.equals(peer) ? 1 : Math.max(1, Integer.parseInt(digits));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void launch(String name, String jvmOpts, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String o : jvmOpts.trim().split("\\s+")) {
      if (!o.isEmpty()) {
        cmd.add(o);
      }
    }
    cmd.add("-cp");
    cmd.add(classPath());
    cmd.add("io.p2pshare.cli.Main");
    cmd.addAll(List.of(args));
    Path log = root.resolve("logs").resolve(name + ".out");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
    pb.environment().remove("P2P_CONFIG");
    pb.environment().remove("P2P_INDEX");
    pb.environment().remove("P2P_DATA_DIR");
    pb.directory(root.toFile());
    children.add(pb.start());
    progress.println("started " + name + " (log " + log + ")");
  }

  /**
   * Our class path, absolute (the children run in the temp dir). Surefire may hide the class
   * path in a manifest-only jar; prefer its full list.
   */
  static String classPath() {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) {
      cp = System.getProperty("java.class.path");
    }
    return java.util.Arrays.stream(cp.split(java.io.File.pathSeparator))
        .filter(e -> !e.isBlank())
        .map(e -> Path.of(e).toAbsolutePath().toString())
        .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
  }

  private void awaitPort(int port, String name) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      checkAlive();
      try (java.net.Socket s = new java.net.Socket(index.host(), port)) {
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new IOException(name + " did not listen on port " + port + " within 60 s; see "
              + root.resolve("logs"));
        }
        Thread.sleep(100);
      }
    }
  }

  private void awaitSearchable(String name) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (true) {
      checkAlive();
      try (FrameSocket s = FrameSocket.connect(index.host(), index.port(), 10_000, "bench")) {
        Envelope r = s.request(MessageType.SEARCH_REQUEST, new SearchRequest(SearchQuery.exact(name)));
        if (r.payload() != null && r.payload().path("results").size() > 0) {
          progress.println(peer + "'s files are searchable on " + index.host() + ":" + index.port());
          return;
        }
      } catch (IOException e) {
        // not yet
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(peer + " did not register " + name + " within 90 s; see "
            + root.resolve("logs"));
      }
      Thread.sleep(200);
    }
  }

  private void checkAlive() throws IOException {
    for (Process p : children) {
      if (!p.isAlive()) {
        String last = "";
        Path logs = root.resolve("logs");
        try (var files = Files.list(logs)) {
          for (Path f : files.filter(x -> x.toString().endsWith(".out")).toList()) {
            List<String> lines = Files.readAllLines(f);
            if (!lines.isEmpty()) {
              last += " [" + f.getFileName() + ": " + lines.get(lines.size() - 1) + "]";
            }
          }
        }
        throw new IOException("a child process exited with code " + p.exitValue() + last);
      }
    }
  }

  /** Parameters worth recording: how the system under test ran. */
  public Map<String, Object> describe(String childJvmOpts) {
    return Map.of("self_contained", true, "child_jvm_opts", childJvmOpts,
        "index", index.host() + ":" + index.port(), "peer", peer, "peer_port", peerPort);
  }

  @Override
  public void close() {
    // Peer first so it can leave the index cleanly, then the index.
    for (int i = children.size() - 1; i >= 0; i--) {
      Process p = children.get(i);
      p.destroy();
      try {
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    if (keep) {
      progress.println("kept " + root + " (logs in " + root.resolve("logs") + ")");
      return;
    }
    try {
      StrongScaling.deleteTree(root);
    } catch (IOException e) {
      progress.println("could not remove " + root + ": " + e.getMessage());
    }
  }
}
