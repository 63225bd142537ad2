package io.p2pshare.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns successive peer status snapshots into the background messages the shell prints above
 * the prompt: index lost / reconnected, replication copies finished. A burst of replication (a
 * new peer is handed hundreds of tasks) becomes one line when the worker goes idle, plus a
 * progress line at most every {@code busyEvery}; a lone task is reported by name. Pure: the
 * caller passes the clock.
 */
public final class StatusDiff {
  private static final int BY_NAME = 3;

  /** The parts of the peer's status that produce messages. */
  public record Snapshot(
      String index, boolean connected, String lastError, List<String> replicating, int queued,
      long replicationsDone, long replicationsFailed) {
    public Snapshot {
      replicating = List.copyOf(replicating);
    }

    boolean idle() {
      return replicating.isEmpty() && queued == 0;
    }
  }

  private final long busyEveryNanos;
  private Snapshot last;
  private long done;
  private long failed;
  private final Set<String> names = new LinkedHashSet<>();
  private long lastBusyNews;

  public StatusDiff(java.time.Duration busyEvery) {
    this.busyEveryNanos = busyEvery.toNanos();
  }

  /**
   * Messages for the change to {@code next}; the first snapshot is only the baseline.
   * {@code announceConnect}: say so when the index connects (a reconnect, or a late first
   * connect), not for the ordinary registration right after start.
   */
  public List<String> next(Snapshot next, long nowNanos, boolean announceConnect) {
    List<String> out = new ArrayList<>();
    Snapshot prev = last;
    last = next;
    if (prev == null) {
      lastBusyNews = nowNanos;
      return out;
    }
    if (prev.connected() && !next.connected()) {
      out.add("Index " + next.index() + " lost" + reason(next.lastError()) + "; reconnecting");
    } else if (!prev.connected() && next.connected() && announceConnect) {
      out.add("Index " + next.index() + " connected; files registered");
    }
    long d = Math.max(0, next.replicationsDone() - prev.replicationsDone());
    long f = Math.max(0, next.replicationsFailed() - prev.replicationsFailed());
    if (d + f > 0) {
      if (done + failed == 0) {
        lastBusyNews = nowNanos; // a new burst: its first progress line comes busyEvery later
      }
      done += d;
      failed += f;
      Set<String> gone = new LinkedHashSet<>(prev.replicating());
      gone.removeAll(next.replicating());
      names.addAll(gone);
    }
    if (done + failed == 0) {
      return out;
    }
    if (next.idle()) {
      if (done + failed <= BY_NAME && names.size() == done + failed) {
        String verb = failed == 0 ? "Replicated" : done == 0 ? "Replication failed for" : "Replication finished for";
        for (String n : names) {
          out.add(verb + " '" + n + "'" + (failed == 0 ? " into replicated/" : ""));
        }
      } else {
        out.add("Replication: " + counts() + " (" + next.replicationsDone() + " done in total)");
      }
      reset(nowNanos);
    } else if (nowNanos - lastBusyNews >= busyEveryNanos) {
      out.add("Replication: " + counts() + " so far, "
          + (next.replicating().size() + next.queued()) + " to go");
      reset(nowNanos);
    }
    return out;
  }

  private String counts() {
    StringBuilder sb = new StringBuilder();
    if (done > 0) {
      sb.append(done).append(done == 1 ? " file" : " files").append(" copied into replicated/");
    }
    if (failed > 0) {
      sb.append(done > 0 ? ", " : "").append(failed).append(" failed");
    }
    return sb.toString();
  }

  private void reset(long nowNanos) {
    done = 0;
    failed = 0;
    names.clear();
    lastBusyNews = nowNanos;
  }

  private static String reason(String lastError) {
    return lastError == null || lastError.isBlank() ? "" : " (" + lastError + ")";
  }
}
