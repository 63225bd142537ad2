package io.p2pshare.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns two successive peer status snapshots into the background messages the shell prints
 * above the prompt: index lost / reconnected, replication copies finished. Pure.
 */
public final class StatusDiff {

  /** The parts of the peer's status that produce messages. */
  public record Snapshot(
      String index, boolean connected, String lastError, List<String> replicating,
      long replicationsDone, long replicationsFailed) {
    public Snapshot {
      replicating = List.copyOf(replicating);
    }
  }

  /**
   * Messages for the change from {@code prev} (null at start) to {@code next}. {@code
   * announceConnect}: say so when the index connects (a reconnect, or a late first connect), not
   * for the ordinary registration right after start.
   */
  public static List<String> diff(Snapshot prev, Snapshot next, boolean announceConnect) {
    List<String> out = new ArrayList<>();
    if (prev == null) {
      return out; // the first look is the baseline; 'status' tells the state itself
    }
    if (prev.connected() && !next.connected()) {
      out.add("Index " + next.index() + " lost" + reason(next.lastError()) + "; reconnecting");
    } else if (!prev.connected() && next.connected() && announceConnect) {
      out.add("Index " + next.index() + " connected; files registered");
    }
    long done = next.replicationsDone() - prev.replicationsDone();
    long failed = next.replicationsFailed() - prev.replicationsFailed();
    if (done <= 0 && failed <= 0) {
      return out;
    }
    Set<String> gone = new LinkedHashSet<>(prev.replicating());
    gone.removeAll(next.replicating());
    String verb = failed <= 0 ? "Replicated" : done <= 0 ? "Replication failed for" : "Replication finished for";
    if (!gone.isEmpty() && gone.size() == done + failed) {
      for (String name : gone) {
        out.add(verb + " '" + name + "'" + (failed <= 0 ? " into replicated/" : ""));
      }
    } else {
      StringBuilder sb = new StringBuilder("Replication: ");
      if (done > 0) {
        sb.append(done).append(done == 1 ? " file" : " files").append(" copied into replicated/");
      }
      if (failed > 0) {
        sb.append(done > 0 ? ", " : "").append(failed).append(" failed");
      }
      out.add(sb.append(" (").append(next.replicationsDone()).append(" done in total)").toString());
    }
    return out;
  }

  private static String reason(String lastError) {
    return lastError == null || lastError.isBlank() ? "" : " (" + lastError + ")";
  }

  private StatusDiff() {}
}
