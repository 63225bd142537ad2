package io.p2pshare.cli;

import akka.actor.typed.ActorSystem;
import ch.qos.logback.classic.Level;
import io.p2pshare.config.PeerSettings;
import io.p2pshare.peer.PeerGuardian;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The interactive front of {@code peer} (without {@code --headless}): a JLine prompt when stdin
 * and stdout are a terminal, plain line-by-line reading otherwise (scripts, pipes).
 */
final class PeerShell {
  private static final Duration REGISTER_WAIT = Duration.ofSeconds(10);

  private final boolean terminal;
  private final AtomicReference<Consumer<String>> logSink;
  private final ShellLogging logging;

  private PeerShell(boolean terminal, AtomicReference<Consumer<String>> logSink, ShellLogging logging) {
    this.terminal = terminal;
    this.logSink = logSink;
    this.logging = logging;
  }

  /**
   * Call before the peer starts: on a terminal, only warnings reach the screen from the start
   * (the peer's INFO lines would bury the prompt; file logging, if on, keeps them).
   */
  static PeerShell prepare() {
    if (System.console() == null) {
      return new PeerShell(false, null, null);
    }
    AtomicReference<Consumer<String>> sink = new AtomicReference<>(System.err::println);
    ShellLogging logging = ShellLogging.routeAbove(line -> sink.get().accept(line), Level.WARN);
    return new PeerShell(true, sink, logging);
  }

  /** Runs the prompt until exit; returns once the peer has stopped. */
  int run(ActorSystem<PeerGuardian.Command> system, PeerSettings settings, boolean quiet) throws Exception {
    PeerConsole console = ActorPeerConsole.connect(system, Duration.ofSeconds(15), Duration.ofSeconds(2));
    ShellIO io;
    if (terminal) {
      Terminal t = TerminalBuilder.builder().system(true).name("p2pshare").build();
      io = new TerminalShellIO(t, historyFile(settings));
      logSink.set(io::printAbove);
    } else {
      io = new PlainShellIO(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
          System.out);
    }
    try {
      awaitRegistration(console, io, settings);
      if (terminal) {
        io.println("Type 'help' for the commands; Tab completes, Ctrl-C stops a command, Ctrl-D or 'exit' quits.");
      }
      Shell.Options options = Shell.Options.defaults().withQuiet(quiet);
      return new Shell(console, io, settings.peerId(), options, new SessionStats()).run();
    } finally {
      if (logging != null) {
        logging.restore();
      }
      io.close();
    }
  }

  /**
   * A script's first {@code lookup} should not race the peer's registration: wait for it, a
   * little. If the index is not there, say so once and go on (the peer keeps retrying).
   */
  private static void awaitRegistration(PeerConsole console, ShellIO io, PeerSettings settings) {
    long deadline = System.nanoTime() + REGISTER_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        PeerConsole.Status s = console.status().toCompletableFuture().get(REGISTER_WAIT.toMillis(),
            TimeUnit.MILLISECONDS);
        if (s.indexConnected() && "registered".equals(s.session())) {
          return;
        }
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        break;
      }
    }
    io.println("Index " + settings.index() + " not reachable yet; the peer keeps trying ('status' shows it).");
  }

  /** Next to the peer's directories, like the hash cache: {@code data/.shell-history-peer1}. */
  static Path historyFile(PeerSettings s) {
    Path parent = s.sharedDir().toAbsolutePath().getParent();
    return (parent == null ? s.sharedDir() : parent).resolve(".shell-history-" + s.peerId());
  }
}
