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
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The interactive front of {@code peer} (without {@code --headless}): a JLine prompt when stdin
 * and stdout are a terminal, plain line-by-line reading otherwise (scripts, pipes). Returns when
 * the user exits and the peer has stopped.
 */
final class PeerShell {

  static int run(ActorSystem<PeerGuardian.Command> system, PeerSettings settings, boolean quiet)
      throws Exception {
    PeerConsole console = ActorPeerConsole.connect(system, Duration.ofSeconds(15), Duration.ofSeconds(2));
    Shell.Options options = Shell.Options.defaults().withQuiet(quiet);
    ShellIO io;
    ShellLogging logging = null;
    if (System.console() != null) {
      Terminal terminal = TerminalBuilder.builder().system(true).name("p2pshare").build();
      io = new TerminalShellIO(terminal, historyFile(settings));
      logging = ShellLogging.routeAbove(io::printAbove, Level.WARN);
      io.println("Type 'help' for the commands; Tab completes, Ctrl-C stops a command, Ctrl-D or 'exit' quits.");
    } else {
      io = new PlainShellIO(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
          System.out);
    }
    try {
      return new Shell(console, io, settings.peerId(), options, new SessionStats()).run();
    } finally {
      if (logging != null) {
        logging.restore();
      }
      io.close();
    }
  }

  /** Next to the peer's directories, like the hash cache: {@code data/.shell-history-peer1}. */
  static Path historyFile(PeerSettings s) {
    Path parent = s.sharedDir().toAbsolutePath().getParent();
    return (parent == null ? s.sharedDir() : parent).resolve(".shell-history-" + s.peerId());
  }

  private PeerShell() {}
}
