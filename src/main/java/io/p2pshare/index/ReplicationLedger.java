package io.p2pshare.index;

import io.p2pshare.protocol.StatsResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The replication coordinator's task table. Created by the guardian and handed to every
 * incarnation of the coordinator, so a restarted coordinator continues with the tasks already
 * handed out (no duplicates, none lost); everything else it rebuilds from the registry and the
 * index view. Written only by the coordinator; the counters are read by STATS (volatile).
 */
final class ReplicationLedger {
  enum State { QUEUED, RUNNING }

  static final class Task {
    final String id;
    final String name;
    final Long size;
    final String sha256;
    State state = State.QUEUED;
    PeerRecord source;
    PeerRecord target;

    Task(String id, String name, Long size, String sha256) {
      this.id = id;
      this.name = name;
      this.size = size;
      this.sha256 = sha256;
    }
  }

  /** Queued tasks in arrival order, and running ones, by id. */
  final Map<String, Task> queued = new LinkedHashMap<>();
  final Map<String, Task> running = new HashMap<>();
  /** Queued + running tasks per file name. */
  final Map<String, List<Task>> byName = new HashMap<>();
  /** Copies reported done whose holder has not shown up in the index yet: name → peer ids. */
  final Map<String, Set<String>> awaitingAnnounce = new HashMap<>();
  /** Targets that failed a name (tried elsewhere first) and failed attempts per name. */
  final Map<String, Set<String>> triedTargets = new HashMap<>();
  final Map<String, Integer> attempts = new HashMap<>();
  /** Running tasks per peer id as target (downloads) and as source (uploads). */
  final Map<String, Integer> load = new HashMap<>();
  final Map<String, Integer> uploads = new HashMap<>();
  long nextId = 1;
  /** Task ids differ across index runs: peers drop ids they have seen. */
  private final String idPrefix = "rt-" + Long.toHexString(new java.security.SecureRandom().nextLong() >>> 16) + "-";
  volatile long done;
  volatile long failed;
  volatile int queuedCount;
  volatile int runningCount;
  volatile long underReplicated;

  Task enqueue(String name, Long size, String sha) {
    Task t = new Task(idPrefix + nextId++, name, size, sha);
    queued.put(t.id, t);
    byName.computeIfAbsent(name, n -> new ArrayList<>()).add(t);
    publish();
    return t;
  }

  void start(Task t, PeerRecord source, PeerRecord target) {
    queued.remove(t.id);
    t.state = State.RUNNING;
    t.source = source;
    t.target = target;
    running.put(t.id, t);
    uploads.merge(source.peerId(), 1, Integer::sum);
    load.merge(target.peerId(), 1, Integer::sum);
    publish();
  }

  /** Removes a task in any state; frees its peers' slots. */
  void remove(Task t) {
    if (t.state == State.RUNNING) {
      running.remove(t.id);
      release(uploads, t.source);
      release(load, t.target);
    } else {
      queued.remove(t.id);
    }
    List<Task> same = byName.get(t.name);
    if (same != null) {
      same.remove(t);
      if (same.isEmpty()) {
        byName.remove(t.name);
      }
    }
    publish();
  }

  /** Copies {@code p} is running (as target). */
  int load(PeerRecord p) {
    return load.getOrDefault(p.peerId(), 0);
  }

  /** Copies {@code p} is serving (as source). */
  int uploads(PeerRecord p) {
    return uploads.getOrDefault(p.peerId(), 0);
  }

  int inFlight(String name) {
    List<Task> same = byName.get(name);
    Set<String> waiting = awaitingAnnounce.get(name);
    return (same == null ? 0 : same.size()) + (waiting == null ? 0 : waiting.size());
  }

  /** Whether {@code peer} is already the target of a task for {@code name} or awaiting it. */
  boolean targets(String name, String peerId) {
    for (Task t : byName.getOrDefault(name, List.of())) {
      if (t.target != null && t.target.peerId().equals(peerId)) {
        return true;
      }
    }
    return awaitingAnnounce.getOrDefault(name, Set.of()).contains(peerId);
  }

  void tried(String name, String peerId) {
    triedTargets.computeIfAbsent(name, n -> new HashSet<>()).add(peerId);
  }

  StatsResponse.TaskCounts counts() {
    return new StatsResponse.TaskCounts((long) queuedCount, (long) runningCount, done, failed);
  }

  private static void release(Map<String, Integer> counts, PeerRecord p) {
    if (p != null) {
      counts.computeIfPresent(p.peerId(), (k, v) -> v <= 1 ? null : v - 1);
    }
  }

  private void publish() {
    queuedCount = queued.size();
    runningCount = running.size();
  }
}
