package io.p2pshare.cli;

import io.p2pshare.cli.PeerConsole.Counters;
import io.p2pshare.cli.PeerConsole.Downloaded;
import io.p2pshare.cli.PeerConsole.Hit;
import io.p2pshare.cli.PeerConsole.Holder;
import io.p2pshare.cli.PeerConsole.LocalFile;
import io.p2pshare.cli.PeerConsole.Lookup;
import io.p2pshare.cli.PeerConsole.PeerInfo;
import io.p2pshare.cli.PeerConsole.SearchHits;
import io.p2pshare.cli.PeerConsole.Status;
import io.p2pshare.transfer.Origin;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Text for every shell answer, in the reference CLI's shapes ({@code REFERENCE.md}), extended with
 * human sizes, short hashes and percentiles. Pure: strings in, strings out, no trailing newline.
 */
public final class Render {

  public static String lookup(Lookup l) {
    if (l.holders().isEmpty()) {
      return "No peers serving '" + l.name() + "'.";
    }
    StringBuilder sb = new StringBuilder("Peers serving '").append(l.name()).append("':");
    for (Holder h : l.holders()) {
      sb.append("\n  - ").append(h.peerId()).append(" @ ").append(h.hostPort())
          .append(" (").append(Units.bytesAndSize(h.size()))
          .append(", sha256 ").append(Units.shortHash(h.sha256())).append(')');
    }
    return sb.toString();
  }

  public static String search(SearchHits s) {
    if (s.hits().isEmpty()) {
      return "No files matching '" + s.text() + "'.";
    }
    StringBuilder sb = new StringBuilder("Files matching '").append(s.text()).append("' (")
        .append(s.hits().size()).append(s.truncated() ? "+" : "").append("):");
    for (Hit h : s.hits()) {
      sb.append("\n  - ").append(h.name()).append(" (").append(Units.bytesAndSize(h.size()))
          .append(") on ").append(h.peerIds().isEmpty() ? "no live peer" : String.join(", ", h.peerIds()));
    }
    if (s.truncated()) {
      sb.append("\n  (the index cut the list at its limit: search for something longer)");
    }
    return sb.toString();
  }

  /**
   * {@code Downloaded 'X' from H:P -> path} then {@code (N bytes in T, R)}; the path relative to
   * {@code cwd} when it lies under it, as the reference prints {@code data/peer1/downloaded/X}.
   */
  public static String downloaded(Downloaded d, Path cwd) {
    if (d.sources().isEmpty() && d.resumedBytes() >= d.bytes()) {
      return "'" + d.name() + "' is already here, verified: " + display(d.path(), cwd)
          + "\n(" + Units.bytesAndSize(d.bytes()) + "; nothing downloaded)";
    }
    String from = d.sources().isEmpty() ? "(local)" : String.join(", ", d.sources());
    long transferred = Math.max(0, d.bytes() - d.resumedBytes());
    double rate = d.seconds() > 0 ? transferred / d.seconds() : 0;
    StringBuilder sb = new StringBuilder("Downloaded '").append(d.name()).append("' from ")
        .append(from).append(" -> ").append(display(d.path(), cwd))
        .append("\n(").append(Units.bytesAndSize(d.bytes())).append(" in ")
        .append(Units.seconds(d.seconds())).append(", ").append(Units.rate(rate));
    if (d.resumedBytes() > 0) {
      sb.append(", resumed after ").append(Units.size(d.resumedBytes()));
    }
    return sb.append(')').toString();
  }

  public static String list(Origin origin, List<LocalFile> files) {
    StringBuilder sb = new StringBuilder(listTitle(origin)).append(" files (")
        .append(files.size()).append("):");
    for (LocalFile f : files) {
      sb.append("\n  - ").append(f.name()).append(" (").append(Units.bytesAndSize(f.size())).append(')');
    }
    return sb.toString();
  }

  static String listTitle(Origin origin) {
    return switch (origin) {
      case SHARED -> "Local";
      case DOWNLOADED -> "Downloaded";
      case REPLICATED -> "Replicated";
    };
  }

  public static String stats(SessionStats.Snapshot s, Counters counters) {
    StringBuilder sb = new StringBuilder("Performance stats:\n  Search time: ");
    if (s.searches() == 0) {
      sb.append("no lookups yet");
    } else {
      sb.append(String.format(Locale.ROOT,
          "mean=%.4fs stdev=%.4fs min=%.4fs max=%.4fs p50=%.4fs p99=%.4fs (%d lookups)",
          s.searchMean(), s.searchStdev(), s.searchMin(), s.searchMax(), s.searchP50(),
          s.searchP99(), s.searches()));
    }
    sb.append("\n  Download speed (B/s): ");
    if (s.downloads() == 0) {
      sb.append("no downloads yet");
    } else {
      sb.append(String.format(Locale.ROOT, "mean=%.1f stdev=%.1f min=%.1f max=%.1f (%d downloads)",
          s.speedMean(), s.speedStdev(), s.speedMin(), s.speedMax(), s.downloads()));
    }
    sb.append(String.format(Locale.ROOT, "\n  Throughput: %.1f B/s", s.throughput()));
    if (s.bytes() > 0) {
      sb.append(" (").append(Units.rate(s.throughput())).append(", ")
          .append(Units.size(s.bytes())).append(" in ").append(Units.seconds(s.seconds())).append(')');
    }
    for (Map.Entry<String, String> e : counters.values().entrySet()) {
      sb.append("\n  ").append(e.getKey()).append(": ").append(e.getValue());
    }
    return sb.toString();
  }

  public static String status(Status s) {
    StringBuilder sb = new StringBuilder("Peer ").append(s.peerId()).append(" serving ")
        .append(s.serving())
        .append("\n  Index: ").append(s.index()).append(s.indexConnected() ? " connected" : " NOT connected (retrying)");
    if (s.session() != null && !s.session().isBlank()) {
      sb.append(", ").append(s.session());
    }
    sb.append("\n  Files: ").append(s.filesShared()).append(" local, ")
        .append(s.filesReplicated()).append(" replicated, ")
        .append(s.filesDownloaded()).append(" downloaded")
        .append("\n  Replication tasks: ").append(s.tasksRunning()).append(" running, ")
        .append(s.tasksQueued()).append(" queued")
        .append("\n  Downloads: ")
        .append(s.activeDownloads().isEmpty() ? "none running" : String.join(", ", s.activeDownloads()));
    return sb.toString();
  }

  public static String peers(PeerConsole.Peers peers) {
    long live = peers.live() >= 0 ? peers.live() : peers.known().size();
    StringBuilder sb = new StringBuilder("Live peers (").append(live).append("):");
    for (PeerInfo p : peers.known()) {
      sb.append("\n  - ").append(p.peerId()).append(" @ ").append(p.host()).append(':').append(p.port());
      if (p.files() >= 0) {
        sb.append(" (").append(p.files()).append(p.files() == 1 ? " file)" : " files)");
      }
    }
    if (live > peers.known().size()) {
      sb.append("\n  (").append(live - peers.known().size())
          .append(" more; the index names peers only in lookup and search answers)");
    }
    return sb.toString();
  }

  /** One line for a failed command, without stack traces or wrapper exception names. */
  public static String error(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof TimeoutException) {
      return "error: no answer in time" + (c.getMessage() == null ? "" : " (" + c.getMessage() + ")")
          + "; the peer may be busy, try again";
    }
    if (c instanceof CancellationException) {
      return "Cancelled.";
    }
    String msg = c.getMessage();
    return "error: " + (msg == null || msg.isBlank() ? c.getClass().getSimpleName() : msg);
  }

  public static String help() {
    return String.join("\n",
        "Commands:",
        "  lookup <name>          who serves this exact name (host:port, size, short sha256)",
        "  search <text>          names containing <text> (any case), with sizes and holders",
        "  download <name>        fetch, verify and save into downloaded/ (progress bar if slow;",
        "                         Ctrl-C cancels it and keeps the verified part for a resume)",
        "  download <name> &      the same in the background: the prompt comes back at once",
        "  cancel <name>          stop a running download",
        "  list local|downloaded|replicated",
        "                         the files in one of this peer's directories",
        "  stats                  lookup latency (mean/stdev/min/max/p50/p99), download speed,",
        "                         throughput of this session, and the peer's counters",
        "  status                 index connection, session, replication tasks, downloads",
        "  peers                  live peers known to the index",
        "  help                   this text",
        "  exit                   unregister, close ports, stop the peer (also Ctrl-D)",
        "Names: everything after the command is the name, so 'download my file.txt' works.",
        "  Quote with '...' or \"...\" to keep leading/trailing spaces; outside '...' a backslash",
        "  takes the next character literally (my\\ file.txt). Unicode is fine.",
        "Keys: Tab completes commands and names (from list and the last search), Up/Down and",
        "  Ctrl-R search the history, Ctrl-C stops the running command (not the peer).");
  }

  private static String display(Path p, Path cwd) {
    if (p == null) {
      return "?";
    }
    if (cwd != null) {
      Path abs = p.toAbsolutePath().normalize();
      Path base = cwd.toAbsolutePath().normalize();
      if (abs.startsWith(base) && !abs.equals(base)) {
        return base.relativize(abs).toString();
      }
    }
    return p.toString();
  }

  private Render() {}
}
