package io.p2pshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pshare.cli.PeerConsole.Holder;
import io.p2pshare.cli.PeerConsole.LocalFile;
import io.p2pshare.cli.PeerConsole.Lookup;
import io.p2pshare.transfer.Origin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jline.terminal.Size;
import org.jline.terminal.impl.ExternalTerminal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shell on a real JLine line reader over an in-memory "xterm": keys in, screen bytes out. */
class TerminalShellIOTest {
  @TempDir Path dir;

  /** A terminal the test types into. */
  private static final class Keys implements AutoCloseable {
    final PipedOutputStream keys = new PipedOutputStream();
    final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    final ExternalTerminal terminal;

    Keys() throws IOException {
      PipedInputStream in = new PipedInputStream(keys, 4096);
      terminal = new ExternalTerminal("test", "xterm", in, screen, StandardCharsets.UTF_8);
      terminal.setSize(new Size(120, 40));
    }

    void type(String s) throws IOException {
      keys.write(s.getBytes(StandardCharsets.UTF_8));
      keys.flush();
    }

    /** Waits (generously) until the screen shows {@code text}: keys typed later reach the reader. */
    void await(String text) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!screen().contains(text) && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
    }

    /** Waits until {@code text} shows {@code n} times (e.g. the second prompt). */
    void await(String text, int n) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (screen().split(java.util.regex.Pattern.quote(text), -1).length - 1 < n
          && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
    }

    String screen() {
      synchronized (screen) {
        return screen.toString(StandardCharsets.UTF_8);
      }
    }

    @Override
    public void close() throws IOException {
      keys.close();
    }
  }

  private static FakeConsole peer() {
    FakeConsole c = new FakeConsole();
    c.lookups.put("peer2_kb_0050.txt", new Lookup("peer2_kb_0050.txt",
        List.of(new Holder("peer2", "127.0.0.1", 7101, 1024, null))));
    c.lists.put(Origin.SHARED, List.of(new LocalFile("my file ü.txt", 5)));
    return c;
  }

  private static Shell.Options opts() {
    return new Shell.Options(false, Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ZERO,
        Path.of("").toAbsolutePath());
  }

  private static int runShell(Shell shell) throws Exception {
    CompletableFuture<Integer> done = CompletableFuture.supplyAsync(shell::run);
    return done.get(30, TimeUnit.SECONDS);
  }

  @Test
  void promptCompletionHistoryAndExit() throws Exception {
    Path history = dir.resolve("history");
    FakeConsole peer = peer();
    try (Keys k = new Keys()) {
      TerminalShellIO io = new TerminalShellIO(k.terminal, history);
      Shell shell = new Shell(peer, io, "peer1", opts(), new SessionStats());
      // Tab completes the command word, then (after 'list local' taught it the name) a name
      // with spaces and Unicode, escaped so that the shell reads it back unchanged.
      k.type("look\tpeer2_kb_0050.txt\r");
      k.type("list local\r");
      k.type("download my\t\r");
      k.type("exit\r");
      assertEquals(0, runShell(shell));
      io.close();
      String screen = k.screen();
      assertTrue(screen.contains("peer1> "), screen);
      assertTrue(screen.contains("Peers serving 'peer2_kb_0050.txt':"), screen);
      assertTrue(screen.contains("Downloaded 'my file ü.txt' from 127.0.0.1:7101"), screen);
      assertTrue(screen.contains("Shutting down peer...") && screen.contains("Peer stopped."), screen);
      assertEquals(List.of("lookup peer2_kb_0050.txt", "list SHARED", "download my file ü.txt", "shutdown"), peer.calls);
      String saved = Files.readString(history, StandardCharsets.UTF_8);
      assertTrue(saved.contains("lookup peer2_kb_0050.txt") && saved.contains("download my\\\\ file\\\\ ü.txt"), saved);
    }
  }

  @Test
  void ctrlDStopsThePeerAndCtrlCAtThePromptOnlyClearsTheLine() throws Exception {
    FakeConsole peer = peer();
    try (Keys k = new Keys()) {
      TerminalShellIO io = new TerminalShellIO(k.terminal, null);
      Shell shell = new Shell(peer, io, "peer1", opts(), new SessionStats());
      CompletableFuture<Integer> done = CompletableFuture.supplyAsync(shell::run);
      k.await("peer1> ");
      k.type("lookup half-typed");
      k.await("peer1> lookup half-typed");
      k.type("\u0003");
      k.await("peer1> ", 2); // a fresh prompt, as a person would see before the next key
      k.type("\u0004");
      assertEquals(0, done.get(30, TimeUnit.SECONDS));
      assertEquals(List.of("shutdown"), peer.calls);
      assertTrue(k.screen().contains("Peer stopped."));
    }
  }

  @Test
  void ctrlCDuringADownloadCancelsIt() throws Exception {
    FakeConsole peer = peer();
    CountDownLatch started = new CountDownLatch(1);
    peer.downloads = n -> new CompletableFuture<>();
    peer.onDownloadStart = p -> started.countDown();
    try (Keys k = new Keys()) {
      TerminalShellIO io = new TerminalShellIO(k.terminal, null);
      Shell shell = new Shell(peer, io, "peer1", opts(), new SessionStats());
      CompletableFuture<Integer> done = CompletableFuture.supplyAsync(shell::run);
      k.type("download big.bin\r");
      assertTrue(started.await(30, TimeUnit.SECONDS));
      k.type("\u0003");
      k.type("exit\r");
      assertEquals(0, done.get(30, TimeUnit.SECONDS));
      assertTrue(peer.calls.contains("cancel big.bin"), peer.calls.toString());
      assertTrue(k.screen().contains("Download of 'big.bin' cancelled"), k.screen());
      assertTrue(peer.stopped);
    }
  }

  @Test
  void backgroundMessageWhileTypingKeepsTheLine() throws Exception {
    FakeConsole peer = peer();
    try (Keys k = new Keys()) {
      TerminalShellIO io = new TerminalShellIO(k.terminal, null);
      Shell shell = new Shell(peer, io, "peer1", opts(), new SessionStats());
      CompletableFuture<Integer> done = CompletableFuture.supplyAsync(shell::run);
      k.await("peer1> ");
      k.type("look");
      k.await("peer1> look");
      peer.fire("Replicated 'peer2_mb_0003.bin' from peer2");
      k.type("up peer2_kb_0050.txt\rexit\r");
      assertEquals(0, done.get(30, TimeUnit.SECONDS));
      assertTrue(k.screen().contains("Replicated 'peer2_mb_0003.bin' from peer2"), k.screen());
      assertEquals("lookup peer2_kb_0050.txt", peer.calls.get(0), "the typed line survived the message");
    }
  }
}
