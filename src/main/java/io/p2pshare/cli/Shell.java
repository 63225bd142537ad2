package io.p2pshare.cli;

import io.p2pshare.cli.PeerConsole.Counters;
import io.p2pshare.cli.PeerConsole.Downloaded;
import io.p2pshare.cli.PeerConsole.Progress;
import io.p2pshare.cli.ShellCommand.Simple;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The peer prompt: reads a line, runs it against a {@link PeerConsole}, prints the answer. Runs on
 * one thread (the caller's). Every wait is bounded by a timeout and can be cut short with Ctrl-C,
 * so the prompt always comes back; Ctrl-C during a download cancels that download, not the peer.
 */
public final class Shell implements CompletionSource {

  /** Knobs. {@code askTimeout} bounds every command but download; {@code cwd} shortens paths. */
  public record Options(
      boolean quiet, Duration askTimeout, Duration shutdownTimeout, Duration progressAfter,
      Path cwd) {
    public static Options defaults() {
      return new Options(false, Duration.ofSeconds(15), Duration.ofSeconds(30),
          Duration.ofSeconds(1), Path.of("").toAbsolutePath());
    }

    public Options withQuiet(boolean q) {
      return new Options(q, askTimeout, shutdownTimeout, progressAfter, cwd);
    }
  }

  private static final long POLL_MS = 100;
  private static final int MAX_NAMES = 20_000;

  private final PeerConsole console;
  private final ShellIO io;
  private final String prompt;
  private final Options options;
  private final SessionStats stats;
  private final LongSupplier nanoTime;

  private final Set<String> names = new LinkedHashSet<>();
  private final Set<String> active = ConcurrentHashMap.newKeySet();
  private volatile boolean interrupted;

  public Shell(PeerConsole console, ShellIO io, String peerId, Options options, SessionStats stats) {
    this(console, io, peerId, options, stats, System::nanoTime);
  }

  Shell(PeerConsole console, ShellIO io, String peerId, Options options, SessionStats stats,
      LongSupplier nanoTime) {
    this.console = console;
    this.io = io;
    this.prompt = peerId + "> ";
    this.options = options;
    this.stats = stats;
    this.nanoTime = nanoTime;
    io.onInterrupt(() -> interrupted = true);
    io.setCompletionSource(this);
    console.onEvent(io::printAbove);
  }

  /** Reads and runs commands until {@code exit} or end of input; then stops the peer. */
  public int run() {
    while (true) {
      String line = io.readLine(prompt);
      if (line == null) {
        return shutdown();
      }
      ShellCommand cmd = ShellCommand.parse(line);
      if (cmd == Simple.EXIT) {
        return shutdown();
      }
      execute(cmd);
    }
  }

  /** Runs one command and prints its answer (or its one-line error). */
  void execute(ShellCommand cmd) {
    interrupted = false;
    try {
      String out = answer(cmd);
      if (out != null) {
        io.println(out);
        io.println("");
      }
    } catch (Interrupted e) {
      io.clearProgress();
      io.println(e.getMessage());
      io.println("");
    } catch (Exception e) {
      io.clearProgress();
      io.println(Render.error(e));
      io.println("");
    }
  }

  private String answer(ShellCommand cmd) throws Exception {
    if (cmd instanceof ShellCommand.Lookup l) {
      long t0 = nanoTime.getAsLong();
      PeerConsole.Lookup r = await(console.lookup(l.name()), options.askTimeout());
      stats.recordSearch(nanoTime.getAsLong() - t0);
      if (!r.holders().isEmpty()) {
        remember(List.of(r.name()));
      }
      return Render.lookup(r);
    } else if (cmd instanceof ShellCommand.Search s) {
      long t0 = nanoTime.getAsLong();
      PeerConsole.SearchHits r = await(console.search(s.text()), options.askTimeout());
      stats.recordSearch(nanoTime.getAsLong() - t0);
      remember(r.hits().stream().map(PeerConsole.Hit::name).toList());
      return Render.search(r);
    } else if (cmd instanceof ShellCommand.Download d) {
      return d.background() ? startBackground(d.name()) : download(d.name());
    } else if (cmd instanceof ShellCommand.Cancel c) {
      boolean was = await(console.cancel(c.name()), options.askTimeout());
      return was ? "Cancelling the download of '" + c.name() + "'."
          : "No download of '" + c.name() + "' is running.";
    } else if (cmd instanceof ShellCommand.ListFiles l) {
      List<PeerConsole.LocalFile> files = await(console.list(l.origin()), options.askTimeout());
      remember(files.stream().map(PeerConsole.LocalFile::name).toList());
      return Render.list(l.origin(), files);
    } else if (cmd instanceof ShellCommand.Invalid inv) {
      return inv.hint();
    } else if (cmd instanceof Simple s) {
      return switch (s) {
        case STATS -> Render.stats(stats.snapshot(), counters());
        case STATUS -> Render.status(await(console.status(), options.askTimeout()));
        case PEERS -> Render.peers(await(console.peers(), options.askTimeout()));
        case HELP -> Render.help();
        case EMPTY -> null;
        case EXIT -> throw new IllegalStateException("exit is handled by run()");
      };
    }
    throw new IllegalStateException("unhandled command " + cmd);
  }

  /** The peer's counters, or none when it does not answer (stats must still print). */
  private Counters counters() {
    try {
      return await(console.counters(), options.askTimeout());
    } catch (Interrupted e) {
      throw e;
    } catch (Exception e) {
      return Counters.NONE;
    }
  }

  /** A foreground download: progress line after a second, Ctrl-C cancels it. */
  private String download(String name) throws Exception {
    AtomicReference<Progress> latest = new AtomicReference<>(new Progress(0, -1, 0));
    long t0 = nanoTime.getAsLong();
    ProgressLine bar = new ProgressLine(name, t0);
    boolean drawBar = io.supportsProgress() && !options.quiet();
    long showAfter = options.progressAfter().toNanos();
    active.add(name);
    CompletableFuture<Downloaded> f = console.download(name, latest::set).toCompletableFuture();
    try {
      while (true) {
        try {
          Downloaded d = f.get(POLL_MS, TimeUnit.MILLISECONDS);
          io.clearProgress();
          return finished(d);
        } catch (TimeoutException notYet) {
          if (interrupted) {
            io.clearProgress();
            return cancelForeground(name, f);
          }
          long now = nanoTime.getAsLong();
          if (drawBar && now - t0 >= showAfter) {
            Progress p = latest.get();
            bar.sample(now, p.bytesDone());
            io.progress(bar.render(p.bytesDone(), p.totalBytes(), now, io.width() - 1));
          }
        }
      }
    } finally {
      active.remove(name);
    }
  }

  private String cancelForeground(String name, CompletableFuture<Downloaded> f) throws Exception {
    console.cancel(name);
    try {
      Downloaded d = f.get(options.askTimeout().toMillis(), TimeUnit.MILLISECONDS);
      return finished(d); // it finished before the cancel arrived: keep the file, say so
    } catch (CancellationException | ExecutionException e) {
      return "Download of '" + name + "' cancelled; no file under its name"
          + " (verified pieces kept for a resume).";
    } catch (TimeoutException e) {
      return "Cancel of '" + name + "' requested; the peer has not confirmed yet (see 'status').";
    }
  }

  private String startBackground(String name) {
    active.add(name);
    console.download(name, p -> {}).whenComplete((d, err) -> {
      active.remove(name);
      if (err == null) {
        io.printAbove(finished(d));
      } else {
        String e = Render.error(err);
        io.printAbove(e.equals("Cancelled.") ? "Download of '" + name + "' cancelled."
            : "Download of '" + name + "' failed: " + e.replaceFirst("^error: ", ""));
      }
    });
    return "Downloading '" + name + "' in the background ('status' shows it, 'cancel "
        + ShellCommand.quoteIfNeeded(name) + "' stops it).";
  }

  private String finished(Downloaded d) {
    long transferred = Math.max(0, d.bytes() - d.resumedBytes());
    if (transferred > 0) { // a file that was already here says nothing about speed
      stats.recordDownload(transferred, d.seconds());
    }
    remember(List.of(d.name()));
    return Render.downloaded(d, options.cwd());
  }

  private int shutdown() {
    interrupted = false;
    io.println("Shutting down peer...");
    if (!active.isEmpty()) {
      io.println("Stopping " + active.size() + (active.size() == 1 ? " download" : " downloads")
          + " (" + String.join(", ", active) + "); verified pieces stay for a resume.");
    }
    int code = 0;
    try {
      await(console.shutdown(), options.shutdownTimeout());
    } catch (Exception e) {
      io.println(Render.error(e));
      code = 1;
    }
    io.println("Peer stopped.");
    return code;
  }

  /**
   * Waits for {@code stage} at most {@code timeout}, in short polls so Ctrl-C can cut it short.
   * The stage itself is left alone: a late answer is simply dropped.
   */
  private <T> T await(CompletionStage<T> stage, Duration timeout) throws Exception {
    CompletableFuture<T> f = stage.toCompletableFuture();
    long deadline = nanoTime.getAsLong() + timeout.toNanos();
    while (true) {
      try {
        return f.get(POLL_MS, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof Exception ex ? ex : e;
      } catch (TimeoutException notYet) {
        if (interrupted) {
          throw new Interrupted();
        }
        if (nanoTime.getAsLong() - deadline >= 0) {
          throw new TimeoutException("after " + (timeout.toMillis() < 1000
              ? timeout.toMillis() + "ms" : timeout.toSeconds() + "s"));
        }
      }
    }
  }

  private synchronized void remember(List<String> seen) {
    for (String n : seen) {
      names.remove(n);
      names.add(n);
    }
    while (names.size() > MAX_NAMES) {
      names.remove(names.iterator().next());
    }
  }

  @Override
  public synchronized Collection<String> fileNames() {
    return new ArrayList<>(names);
  }

  @Override
  public Collection<String> activeDownloads() {
    return List.copyOf(active);
  }

  /** Ctrl-C while waiting for an answer. */
  private static final class Interrupted extends RuntimeException {
    Interrupted() {
      super("Cancelled.", null, false, false);
    }
  }
}
