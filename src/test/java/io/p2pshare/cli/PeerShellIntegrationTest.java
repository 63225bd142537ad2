package io.p2pshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import com.typesafe.config.ConfigFactory;
import io.p2pshare.config.AppConfig;
import io.p2pshare.config.ConfigLoader;
import io.p2pshare.config.PeerSettings;
import io.p2pshare.index.ControlServer;
import io.p2pshare.index.IndexGuardian;
import io.p2pshare.peer.PeerGuardian;
import io.p2pshare.peer.TransferPort;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jline.terminal.Size;
import org.jline.terminal.impl.ExternalTerminal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shell end to end: a real index and two real peers (actor systems in this JVM, loopback,
 * ephemeral ports, temp dirs, the real transfer server); the shell driven through a pipe, a JLine
 * terminal and the stdin of a real peer process; the reference session's commands and output
 * shapes; cancel.
 */
class PeerShellIntegrationTest {
  private static final String FILE = "peer2_kb_0050.txt";
  private static final String BIG = "peer2_mb_0001.bin";
  private static final List<ActorSystem<?>> systems = new CopyOnWriteArrayList<>();

  /** The real transfer server, as {@code peer} runs it. */
  private static final TransferPort TRANSFER = io.p2pshare.transfer.TransferServer::start;

  @TempDir static Path data;
  static int indexPort;
  static byte[] content;

  @BeforeAll
  static void indexAndPeer2() throws Exception {
    ActorSystem<IndexGuardian.Command> index = ActorSystem.create(IndexGuardian.create(
        new IndexGuardian.Settings("127.0.0.1", 0, AppConfig.defaults(), null)), "e2e-index",
        ConfigFactory.load("application-test"));
    systems.add(index);
    ControlServer.Binding b = AskPattern.<IndexGuardian.Command, ControlServer.Binding>ask(index,
        IndexGuardian.GetBinding::new, Duration.ofSeconds(30), index.scheduler()).toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    indexPort = ((ControlServer.Bound) b).address().getPort();
    PeerSettings peer2 = settings("peer2");
    byte[] big = new byte[8 << 20];
    new java.util.Random(8).nextBytes(big);
    Files.write(peer2.sharedDir().resolve(BIG), big);
    content = new byte[1024];
    new java.util.Random(50).nextBytes(content);
    Files.write(peer2.sharedDir().resolve(FILE), content);
    startPeer(peer2);
  }

  @AfterAll
  static void stopAll() throws Exception {
    for (ActorSystem<?> s : systems) {
      s.terminate();
    }
    for (ActorSystem<?> s : systems) {
      s.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Every peer uploads at 2 MiB/s: the 8 MiB file takes seconds from any holder (the index
   * replicates it to a second peer), so a cancel lands mid-way.
   */
  static PeerSettings settings(String id) {
    return PeerSettings.resolve(AppConfig.defaults(), new ConfigLoader(Map.of()),
        new PeerSettings.Flags(id, 0, "127.0.0.1:" + indexPort, data, "2MB", null)).createDirs();
  }

  static ActorSystem<PeerGuardian.Command> startPeer(PeerSettings s) throws Exception {
    CompletableFuture<InetSocketAddress> started = new CompletableFuture<>();
    ActorSystem<PeerGuardian.Command> sys = ActorSystem.create(
        PeerGuardian.create(s, TRANSFER, Duration.ofMillis(300), started), "e2e-" + s.peerId(),
        ConfigFactory.load("application-test"));
    systems.add(sys);
    started.get(30, TimeUnit.SECONDS);
    return sys;
  }

  /** A fresh peer1 whose console already sees peer2's file in the index. */
  static ActorPeerConsole peer1(String id) throws Exception {
    ActorSystem<PeerGuardian.Command> sys = startPeer(settings(id));
    ActorPeerConsole console = ActorPeerConsole.connect(sys, Duration.ofSeconds(20), Duration.ofMillis(500));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      PeerConsole.Lookup l = console.lookup(FILE).toCompletableFuture().get(30, TimeUnit.SECONDS);
      PeerConsole.Status st = console.status().toCompletableFuture().get(30, TimeUnit.SECONDS);
      if (!l.holders().isEmpty() && st.indexConnected() && "registered".equals(st.session())) {
        return console;
      }
      Thread.sleep(100); // polling the index for peer2's registration, not timing anything
    }
    throw new AssertionError("peer2's file never showed up in the index, or " + id + " never registered");
  }

  @Test
  void theReferenceSessionThroughAPipe() throws Exception {
    ActorPeerConsole console = peer1("peer1");
    String script = "lookup " + FILE + "\ndownload " + FILE + "\nlist downloaded\nlist replicated\n"
        + "search kb_005\nstatus\npeers\nlookup nope.txt\ndownload nope.txt\n"
        + "download ../escape.txt\nstats\nexit\n";
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PlainShellIO io = new PlainShellIO(new BufferedReader(new StringReader(script)),
        new PrintStream(bytes, true, StandardCharsets.UTF_8));
    Shell.Options opts = Shell.Options.defaults().withQuiet(false);
    Shell.Options inData = new Shell.Options(false, opts.askTimeout(), opts.shutdownTimeout(),
        opts.progressAfter(), data.getParent());
    int code = new Shell(console, io, "peer1", inData, new SessionStats()).run();
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, out);
    List<String> lines = withoutEvents(out);
    int i = 0;
    assertEquals("Peers serving '" + FILE + "':", lines.get(i++), out);
    assertTrue(lines.get(i++).matches("  - peer2 @ 127\\.0\\.0\\.1:\\d+ \\(1024 bytes, 1\\.0 KiB, sha256 [0-9a-f]{12}\\)"), out);
    assertEquals("", lines.get(i++));
    String dataName = data.getFileName().toString();
    assertTrue(lines.get(i++).matches("Downloaded '" + FILE + "' from 127\\.0\\.0\\.1:\\d+ -> "
        + dataName + "/peer1/downloaded/" + FILE), out);
    assertTrue(lines.get(i++).matches("\\(1024 bytes, 1\\.0 KiB in \\d+\\.\\d\\ds, [0-9.]+ [KMG]?B/s\\)"), out);
    assertEquals("", lines.get(i++));
    assertEquals("Downloaded files (1):", lines.get(i++), out);
    assertEquals("  - " + FILE + " (1024 bytes, 1.0 KiB)", lines.get(i++));
    assertEquals("", lines.get(i++));
    assertTrue(lines.get(i++).startsWith("Replicated files ("), out);
    while (!lines.get(i).isEmpty()) {
      i++;
    }
    i++;
    assertEquals("Files matching 'kb_005' (1):", lines.get(i++), out);
    assertTrue(lines.get(i).startsWith("  - " + FILE + " (1024 bytes, 1.0 KiB) on "), out);
    assertTrue(lines.get(i++).contains("peer2"), out);
    assertEquals("", lines.get(i++));
    assertTrue(lines.get(i++).matches("Peer peer1 serving 127\\.0\\.0\\.1:\\d+"), out);
    assertTrue(lines.get(i++).matches("  Index: 127\\.0\\.0\\.1:" + indexPort + " connected, registered"), out);
    assertTrue(lines.get(i++).matches("  Files: 0 local, \\d+ replicated, 1 downloaded"), out);
    i += 3; // replication, downloads, blank
    assertTrue(lines.get(i++).matches("Live peers \\(\\d+\\):"), out);
    assertTrue(lines.get(i++).matches("  - peer1 @ 127\\.0\\.0\\.1:\\d+"), out);
    assertTrue(lines.get(i++).matches("  - peer2 @ 127\\.0\\.0\\.1:\\d+"), out);
    while (!lines.get(i).isEmpty()) {
      i++;
    }
    i++;
    assertEquals("No peers serving 'nope.txt'.", lines.get(i++), out);
    assertEquals("", lines.get(i++));
    assertEquals("error: No peers serving 'nope.txt'.", lines.get(i++), out);
    assertEquals("", lines.get(i++));
    assertEquals("error: '../escape.txt' is not a plain file name (file name must not contain a path separator)",
        lines.get(i++), out);
    assertEquals("", lines.get(i++));
    assertEquals("Performance stats:", lines.get(i++), out);
    assertTrue(lines.get(i++).matches("  Search time: mean=\\d+\\.\\d{4}s stdev=\\d+\\.\\d{4}s min=\\d+\\.\\d{4}s "
        + "max=\\d+\\.\\d{4}s p50=\\d+\\.\\d{4}s p99=\\d+\\.\\d{4}s \\(3 lookups\\)"), out);
    assertTrue(lines.get(i++).matches("  Download speed \\(B/s\\): mean=[0-9.]+ stdev=0\\.0 min=[0-9.]+ max=[0-9.]+ \\(1 downloads\\)"), out);
    assertTrue(lines.get(i++).matches("  Throughput: [0-9.]+ B/s \\(.*\\)"), out);
    assertTrue(lines.get(i++).startsWith("  Replication: "), out);
    assertTrue(lines.get(i++).startsWith("  Index: "), out);
    assertEquals("", lines.get(i++));
    assertEquals("Shutting down peer...", lines.get(i++));
    assertEquals("Peer stopped.", lines.get(i++), out);
    assertEquals(lines.size(), i, out);
    assertFalse(out.contains("\u001b"));
    assertFalse(Files.exists(data.resolve("peer1/downloaded/nope.txt")));

    Path got = data.resolve("peer1/downloaded/" + FILE);
    assertTrue(java.util.Arrays.equals(content, Files.readAllBytes(got)));
  }

  @Test
  void theSessionOnAJLineTerminalWithCompletion() throws Exception {
    ActorPeerConsole console = peer1("peer3");
    PipedOutputStream keys = new PipedOutputStream();
    ByteArrayOutputStream screen = new ByteArrayOutputStream();
    ExternalTerminal terminal = new ExternalTerminal("e2e", "xterm", new PipedInputStream(keys, 4096),
        screen, StandardCharsets.UTF_8);
    terminal.setSize(new Size(120, 40));
    TerminalShellIO io = new TerminalShellIO(terminal, data.resolve(".shell-history-peer3"));
    Shell shell = new Shell(console, io, "peer3", Shell.Options.defaults(), new SessionStats());
    CompletableFuture<Integer> done = CompletableFuture.supplyAsync(shell::run);
    // 'search' teaches completion the name; Tab then completes it for download.
    keys.write(("search kb_005\rdownload peer2_kb\t\rlist downloaded\rstats\rexit\r")
        .getBytes(StandardCharsets.UTF_8));
    keys.flush();
    assertEquals(0, done.get(60, TimeUnit.SECONDS));
    io.close();
    String s = screen.toString(StandardCharsets.UTF_8);
    assertTrue(s.contains("peer3> "), s);
    assertTrue(s.contains("Downloaded '" + FILE + "' from 127.0.0.1:"), s);
    assertTrue(s.contains("Downloaded files (1):"), s);
    assertTrue(s.contains("Performance stats:"), s);
    assertTrue(s.contains("Shutting down peer...") && s.contains("Peer stopped."), s);
    assertTrue(Files.readString(data.resolve(".shell-history-peer3")).contains("download " + FILE));
  }

  /** {@code printf '...' | p2pshare peer --peer peer4}: the real command, stdin a pipe. */
  @Test
  void scriptedThroughStdinOfARealPeerProcess() throws Exception {
    Path cfg = Files.writeString(data.resolve("empty-config.json"), "{}");
    Path out = data.resolve("peer4.out");
    Path err = data.resolve("peer4.err");
    Process p = io.p2pshare.testing.JavaProcess.start(out, err, List.of(),
        "peer", "--peer", "peer4", "--port", "0", "--index", "127.0.0.1:" + indexPort,
        "--data-dir", data.toString(), "--config", cfg.toString());
    try (var stdin = p.getOutputStream()) {
      stdin.write(("lookup " + FILE + "\ndownload " + FILE + "\nlist downloaded\nstats\nexit\n")
          .getBytes(StandardCharsets.UTF_8));
    }
    boolean exited = p.waitFor(120, TimeUnit.SECONDS);
    if (!exited) {
      p.destroyForcibly();
    }
    String o = Files.readString(out);
    String diag = o + "\n--- stderr ---\n" + Files.readString(err);
    assertTrue(exited, diag);
    assertEquals(0, p.exitValue(), diag);
    List<String> lines = withoutEvents(o);
    assertTrue(lines.get(0).matches("peer4 serving on 127\\.0\\.0\\.1:\\d+ \\(index 127\\.0\\.0\\.1:" + indexPort + "\\)"), diag);
    assertEquals("Peers serving '" + FILE + "':", lines.get(1), diag);
    assertTrue(lines.contains("Downloaded files (1):"), diag);
    assertTrue(lines.stream().anyMatch(l -> l.matches("Downloaded '" + FILE + "' from 127\\.0\\.0\\.1:\\d+ -> .*peer4/downloaded/" + FILE)), diag);
    assertTrue(lines.contains("Performance stats:"), diag);
    assertEquals(List.of("Shutting down peer...", "Peer stopped."), lines.subList(lines.size() - 2, lines.size()), diag);
    assertFalse(o.contains("\u001b"), "no escape sequences when stdin is a pipe");
    assertTrue(java.util.Arrays.equals(content, Files.readAllBytes(data.resolve("peer4/downloaded/" + FILE))));
  }

  @Test
  void cancellingADownloadThroughTheConsoleLeavesNothingUnderItsName() throws Exception {
    ActorPeerConsole console = peer1("peer5");
    CompletableFuture<Void> firstProgress = new CompletableFuture<>();
    CompletableFuture<PeerConsole.Downloaded> d = console.download(BIG, p -> {
      if (p.bytesDone() > 0) {
        firstProgress.complete(null);
      }
    }).toCompletableFuture();
    firstProgress.get(60, TimeUnit.SECONDS);
    assertTrue(console.cancel(BIG).toCompletableFuture().get(30, TimeUnit.SECONDS));
    java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
        java.util.concurrent.ExecutionException.class, () -> d.get(30, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof java.util.concurrent.CancellationException, e.toString());
    assertFalse(Files.exists(data.resolve("peer5/downloaded/" + BIG)));
    assertFalse(console.cancel(BIG).toCompletableFuture().get(30, TimeUnit.SECONDS), "nothing left to cancel");
    console.shutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /**
   * The output without background lines: the index replicates peer2's files while the session
   * runs, and a plain pipe prints "Replicated 'x' into replicated/" wherever it happens to land.
   */
  private static List<String> withoutEvents(String out) {
    return out.lines()
        .filter(l -> !l.matches("Replicated '.*' into replicated/|Replication(: | failed for ).*|Index .* (lost|connected).*"))
        .toList();
  }
}
