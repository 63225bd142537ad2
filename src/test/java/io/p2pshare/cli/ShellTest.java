package io.p2pshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pshare.cli.PeerConsole.Downloaded;
import io.p2pshare.cli.PeerConsole.Holder;
import io.p2pshare.cli.PeerConsole.LocalFile;
import io.p2pshare.cli.PeerConsole.Lookup;
import io.p2pshare.cli.PeerConsole.Progress;
import io.p2pshare.transfer.Origin;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ShellTest {
  private static final Path CWD = Path.of("").toAbsolutePath();

  private static Shell.Options opts() {
    return new Shell.Options(false, Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ZERO, CWD);
  }

  private static FakeConsole referencePeer() {
    FakeConsole c = new FakeConsole();
    c.lookups.put("peer2_kb_0050.txt", new Lookup("peer2_kb_0050.txt",
        List.of(new Holder("peer2", "127.0.0.1", 7101, 1024, "00112233445566778899"))));
    c.lists.put(Origin.DOWNLOADED, List.of(new LocalFile("peer2_kb_0050.txt", 1024)));
    return c;
  }

  @Test
  void theReferenceSessionThroughAPipe() {
    String script = "lookup peer2_kb_0050.txt\ndownload peer2_kb_0050.txt\nlist downloaded\nstats\nexit\n";
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PlainShellIO io = new PlainShellIO(new BufferedReader(new StringReader(script)),
        new PrintStream(bytes, true, StandardCharsets.UTF_8));
    FakeConsole peer = referencePeer();
    int code = new Shell(peer, io, "peer1", opts(), new SessionStats()).run();
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(0, code);
    String[] lines = out.split("\n", -1);
    assertEquals("Peers serving 'peer2_kb_0050.txt':", lines[0]);
    assertEquals("  - peer2 @ 127.0.0.1:7101 (1024 bytes, 1.0 KiB, sha256 001122334455)", lines[1]);
    assertEquals("", lines[2]);
    assertEquals("Downloaded 'peer2_kb_0050.txt' from 127.0.0.1:7101 -> data/peer1/downloaded/peer2_kb_0050.txt", lines[3]);
    assertEquals("(1024 bytes, 1.0 KiB in 0.05s, 20.48 KB/s)", lines[4]);
    assertEquals("", lines[5]);
    assertEquals("Downloaded files (1):", lines[6]);
    assertEquals("  - peer2_kb_0050.txt (1024 bytes, 1.0 KiB)", lines[7]);
    assertEquals("", lines[8]);
    assertEquals("Performance stats:", lines[9]);
    assertTrue(lines[10].matches("  Search time: mean=\\d\\.\\d{4}s stdev=\\d\\.\\d{4}s min=\\d\\.\\d{4}s max=\\d\\.\\d{4}s p50=\\d\\.\\d{4}s p99=\\d\\.\\d{4}s \\(1 lookups\\)"), lines[10]);
    assertEquals("  Download speed (B/s): mean=20480.0 stdev=0.0 min=20480.0 max=20480.0 (1 downloads)", lines[11]);
    assertEquals("  Throughput: 20480.0 B/s (20.48 KB/s, 1.0 KiB in 0.05s)", lines[12]);
    assertEquals("", lines[13]);
    assertEquals("Shutting down peer...", lines[14]);
    assertEquals("Peer stopped.", lines[15]);
    assertEquals("", lines[16]);
    assertEquals(17, lines.length);
    assertFalse(out.contains("\u001b"), "no escape sequences in a pipe");
    assertTrue(peer.stopped);
  }

  @Test
  void endOfInputStopsThePeerCleanly() {
    ScriptedIO io = new ScriptedIO(false, "status");
    FakeConsole peer = referencePeer();
    assertEquals(0, new Shell(peer, io, "peer1", opts(), new SessionStats()).run());
    assertTrue(peer.stopped);
    assertEquals(List.of("Shutting down peer...", "Peer stopped."), io.out.subList(io.out.size() - 2, io.out.size()));
  }

  @Test
  void badLinesGiveOneLineHintsAndTheShellGoesOn() {
    ScriptedIO io = new ScriptedIO(false, "fetch x", "download", "list everything", "", "lookup peer2_kb_0050.txt");
    FakeConsole peer = referencePeer();
    new Shell(peer, io, "peer1", opts(), new SessionStats()).run();
    assertEquals("Unknown command 'fetch'. Type 'help' for the commands.", io.out.get(0));
    assertEquals("Missing argument. Usage: download <name>", io.out.get(2));
    assertEquals("Unknown list 'everything'. Usage: list local|downloaded|replicated", io.out.get(4));
    assertTrue(io.out.get(6).startsWith("Peers serving 'peer2_kb_0050.txt':\n"), io.out.get(6));
    assertEquals(List.of("lookup peer2_kb_0050.txt", "shutdown"), peer.calls);
  }

  @Test
  void aPeerThatNeverAnswersGivesThePromptBack() {
    FakeConsole peer = referencePeer();
    peer.lookupOverride = new CompletableFuture<>(); // never completes
    ScriptedIO io = new ScriptedIO(false, "lookup x", "list downloaded");
    Shell.Options o = new Shell.Options(false, Duration.ofMillis(300), Duration.ofSeconds(20), Duration.ZERO, CWD);
    new Shell(peer, io, "peer1", o, new SessionStats()).run();
    assertTrue(io.out.get(0).startsWith("error: no answer in time (after 300ms)"), io.out.get(0));
    assertTrue(io.out.get(2).startsWith("Downloaded files (1):\n"), io.out.get(2));
  }

  @Test
  void errorsFromThePeerAreOneLine() {
    FakeConsole peer = referencePeer();
    peer.downloads = n -> CompletableFuture.failedFuture(new IllegalStateException("no live peer holds '" + n + "'"));
    ScriptedIO io = new ScriptedIO(false, "download nope.txt");
    new Shell(peer, io, "peer1", opts(), new SessionStats()).run();
    assertEquals("error: no live peer holds 'nope.txt'", io.out.get(0));
  }

  @Test
  void ctrlCDuringADownloadCancelsItNotThePeer() {
    FakeConsole peer = referencePeer();
    peer.downloads = n -> new CompletableFuture<>(); // runs until cancelled
    ScriptedIO io = new ScriptedIO(true, "download big.bin", "status");
    peer.onDownloadStart = p -> io.interrupt.run(); // the user presses Ctrl-C at once
    new Shell(peer, io, "peer1", opts(), new SessionStats()).run();
    assertTrue(peer.calls.contains("cancel big.bin"), peer.calls.toString());
    assertTrue(io.out.get(0).startsWith("Download of 'big.bin' cancelled; no file under its name"), io.out.get(0));
    assertTrue(io.out.get(2).startsWith("Peer peer1 serving"), "the shell goes on: " + io.out);
    assertTrue(io.out.get(2).endsWith("Downloads: none running"));
  }

  @Test
  void ctrlCWhileWaitingForAnAnswerCancelsTheWait() {
    FakeConsole peer = referencePeer();
    ScriptedIO io = new ScriptedIO(true, "lookup x", "list downloaded");
    // An answer that never comes; the user presses Ctrl-C while the shell waits for it.
    peer.lookupOverride = new CompletableFuture<>() {
      @Override
      public CompletableFuture<Lookup> toCompletableFuture() {
        io.interrupt.run();
        return this;
      }
    };
    new Shell(peer, io, "peer1", opts(), new SessionStats()).run();
    assertEquals("Cancelled.", io.out.get(0));
    assertTrue(io.out.get(2).startsWith("Downloaded files (1):\n"), io.out.get(2));
  }

  @Test
  void progressLineOnATerminalNotInAPipeNorQuiet() {
    for (boolean terminal : new boolean[] {true, false}) {
      for (boolean quiet : new boolean[] {false, true}) {
        FakeConsole peer = referencePeer();
        CompletableFuture<Downloaded> f = new CompletableFuture<>();
        peer.downloads = n -> f;
        ScriptedIO io = new ScriptedIO(terminal, "download big.bin");
        Downloaded done = new Downloaded("big.bin", List.of("127.0.0.1:7101"), CWD.resolve("big.bin"), 1 << 30, 2.0, 0, null);
        io.onProgress = () -> f.complete(done);
        peer.onDownloadStart = p -> {
          p.accept(new Progress(512L << 20, 1L << 30, 1));
          if (!terminal || quiet) {
            f.complete(done); // nothing will draw: finish anyway
          }
        };
        Shell.Options o = opts().withQuiet(quiet);
        new Shell(peer, io, "peer1", o, new SessionStats()).run();
        boolean expectBar = terminal && !quiet;
        assertEquals(expectBar, !io.progress.isEmpty(), "terminal=" + terminal + " quiet=" + quiet);
        if (expectBar) {
          assertTrue(io.progress.get(0).contains(" 50% 512 MiB / 1.0 GiB"), io.progress.get(0));
        }
        assertTrue(io.out.get(0).startsWith("Downloaded 'big.bin' from 127.0.0.1:7101 -> big.bin"), io.out.get(0));
      }
    }
  }

  @Test
  void backgroundDownloadReportsAboveThePrompt() {
    FakeConsole peer = referencePeer();
    CompletableFuture<Downloaded> f = new CompletableFuture<>();
    peer.downloads = n -> f;
    ScriptedIO io = new ScriptedIO(false, "download big.bin &", "status", "cancel big.bin", "cancel big.bin");
    new Shell(peer, io, "peer1", opts(), new SessionStats()).run();
    assertTrue(io.out.get(0).startsWith("Downloading 'big.bin' in the background"), io.out.get(0));
    assertTrue(io.out.get(2).endsWith("Downloads: big.bin"), io.out.get(2));
    assertEquals("Cancelling the download of 'big.bin'.", io.out.get(4));
    assertEquals("No download of 'big.bin' is running.", io.out.get(6));
    assertEquals(List.of("Download of 'big.bin' cancelled."), io.above);
  }

  @Test
  void backgroundEventsGoAboveThePrompt() {
    FakeConsole peer = referencePeer();
    ScriptedIO io = new ScriptedIO(false);
    new Shell(peer, io, "peer1", opts(), new SessionStats());
    peer.fire("Replicated 'peer2_mb_0003.bin' from peer2 (1.0 MiB)");
    peer.fire("Index 127.0.0.1:7000 lost; reconnecting");
    assertEquals(List.of("Replicated 'peer2_mb_0003.bin' from peer2 (1.0 MiB)",
        "Index 127.0.0.1:7000 lost; reconnecting"), io.above);
  }

  @Test
  void completionLearnsNamesFromListLookupAndSearch() {
    FakeConsole peer = referencePeer();
    peer.lookups.put("peer2_kb_0051.txt", new Lookup("peer2_kb_0051.txt",
        List.of(new Holder("peer2", "127.0.0.1", 7101, 1024, null))));
    peer.lists.put(Origin.SHARED, List.of(new LocalFile("my file.txt", 3)));
    ScriptedIO io = new ScriptedIO(false, "list local", "search kb_0051", "lookup peer2_kb_0050.txt", "lookup missing");
    Shell shell = new Shell(peer, io, "peer1", opts(), new SessionStats());
    shell.run();
    assertEquals(List.of("my file.txt", "peer2_kb_0051.txt", "peer2_kb_0050.txt"), List.copyOf(io.source.fileNames()));
  }

  @Test
  void statsShowPeerCountersAndSurviveAPeerThatDoesNotAnswerThem() {
    FakeConsole peer = referencePeer();
    peer.counters = CompletableFuture.completedFuture(
        new PeerConsole.Counters(java.util.Map.of("Uploads served", "3 (3.0 KiB)")));
    ScriptedIO io = new ScriptedIO(false, "stats");
    new Shell(peer, io, "peer1", opts(), new SessionStats()).run();
    assertTrue(io.out.get(0).endsWith("\n  Uploads served: 3 (3.0 KiB)"), io.out.get(0));

    peer.counters = CompletableFuture.failedFuture(new IllegalStateException("no stats actor"));
    ScriptedIO io2 = new ScriptedIO(false, "stats");
    new Shell(peer, io2, "peer1", opts(), new SessionStats()).run();
    assertTrue(io2.out.get(0).startsWith("Performance stats:\n  Search time: no lookups yet"), io2.out.get(0));
    assertTrue(io2.out.get(0).endsWith("Throughput: 0.0 B/s"), io2.out.get(0));
  }

  @Test
  void aFileAlreadyHereDoesNotCountAsADownloadInStats() {
    FakeConsole peer = referencePeer();
    peer.downloads = n -> CompletableFuture.completedFuture(
        new Downloaded(n, List.of(), CWD.resolve(n), 1024, 0.2, 1024, null));
    ScriptedIO io = new ScriptedIO(false, "download a.txt", "stats");
    new Shell(peer, io, "peer1", opts(), new SessionStats()).run();
    assertTrue(io.out.get(0).startsWith("'a.txt' is already here, verified: a.txt"), io.out.get(0));
    assertTrue(io.out.get(2).contains("Download speed (B/s): no downloads yet"), io.out.get(2));
  }

  @Test
  void exitWithABackgroundDownloadSaysItStops() {
    FakeConsole peer = referencePeer();
    peer.downloads = n -> new CompletableFuture<>();
    ScriptedIO io = new ScriptedIO(false, "download big.bin &", "exit");
    new Shell(peer, io, "peer1", opts(), new SessionStats()).run();
    assertEquals(List.of("Shutting down peer...",
        "Stopping 1 download (big.bin); verified pieces stay for a resume.", "Peer stopped."),
        io.out.subList(io.out.size() - 3, io.out.size()));
  }
}
