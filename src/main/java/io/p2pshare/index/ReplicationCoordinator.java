package io.p2pshare.index;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.PreRestart;
import akka.actor.typed.eventstream.EventStream;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.protocol.ReplicationReport;
import io.p2pshare.protocol.ReplicationTask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps every file on {@code replication_factor} distinct peers. It scans the published index
 * view for names with fewer holders than RF (holders of a dead peer count until the registry
 * purges them after the grace period, so a peer that comes back in time causes no copies; an
 * unregistered peer's entries go at once), queues one task per missing copy, and hands tasks
 * out within caps (a peer runs at most {@code max_tasks_per_peer} copies and serves at most twice
 * that; at most {@code maxRunning} overall): target = live non-holder with the fewest running
 * tasks, then fewest bytes held, then peer id; source = the live holder serving the fewest. A task runs until
 * its target reports, its deadline (scaled to the size) passes, or a peer involved dies; a
 * failure retries with backoff on another target.
 */
public final class ReplicationCoordinator extends AbstractBehavior<ReplicationCoordinator.Command> {

  public sealed interface Command
      permits Crash, IndexEvent, GotPeers, Tick, ScanSoon, Deadline, RetryReady, AwaitExpired {}

  /** Makes the coordinator throw (supervision test and ops hook): it restarts and carries on. */
  public record Crash(String why) implements Command {}

  private record IndexEvent(IndexEvents.Event event) implements Command {}

  private record GotPeers(PeerRegistry.Peers peers) implements Command {}

  private enum Tick implements Command { INSTANCE }

  private enum ScanSoon implements Command { INSTANCE }

  private record Deadline(String taskId) implements Command {}

  private record RetryReady(String name) implements Command {}

  private record AwaitExpired(String name, String peerId) implements Command {}

  /** {@code maxRunning}: overall cap on running tasks. */
  public record Settings(int replicationFactor, int maxTasksPerPeer, int maxRunning,
      Duration heartbeatInterval, Duration scanDebounce) {}

  private static final long BYTES_PER_SECOND_FLOOR = 5L * 1024 * 1024;

  private final Settings settings;
  private final IndexView view;
  private final ReplicationLedger ledger;
  private final ActorRef<PeerRegistry.Command> registry;
  private final TimerScheduler<Command> timers;
  private final Map<String, PeerRecord> peers = new LinkedHashMap<>();
  private final Set<String> backoff = new HashSet<>();
  private Map<String, Long> bytesHeld = new HashMap<>();
  private boolean scanScheduled;
  private long ticks;
  private static final int FULL_SCAN_EVERY_TICKS = 12;
  private final ActorRef<IndexEvents.Event> events;

  public static Behavior<Command> create(Settings settings, IndexView view, ReplicationLedger ledger,
      ActorRef<PeerRegistry.Command> registry) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new ReplicationCoordinator(ctx, timers, settings, view, ledger, registry)));
  }

  private ReplicationCoordinator(ActorContext<Command> context, TimerScheduler<Command> timers,
      Settings settings, IndexView view, ReplicationLedger ledger, ActorRef<PeerRegistry.Command> registry) {
    super(context);
    this.settings = settings;
    this.view = view;
    this.ledger = ledger;
    this.registry = registry;
    this.timers = timers;
    this.events = context.messageAdapter(IndexEvents.Event.class, IndexEvent::new);
    context.getSystem().eventStream().tell(new EventStream.Subscribe<>(IndexEvents.Event.class, events));
    // Rebuild: who is out there comes from the registry; tasks handed out survive in the ledger
    // and get their deadlines back.
    registry.tell(new PeerRegistry.GetPeers(context.messageAdapter(PeerRegistry.Peers.class, GotPeers::new)));
    for (ReplicationLedger.Task t : ledger.running.values()) {
      timers.startSingleTimer("deadline:" + t.id, new Deadline(t.id), deadline(t));
    }
    ledger.awaitingAnnounce.forEach((name, ids) -> ids.forEach(id ->
        timers.startSingleTimer("await:" + name + ":" + id, new AwaitExpired(name, id), awaitTime())));
    timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.heartbeatInterval());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Crash.class, c -> {
          throw new IllegalStateException("crash requested: " + c.why());
        })
        .onMessage(IndexEvent.class, this::onEvent)
        .onMessage(GotPeers.class, this::onPeers)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessageEquals(ScanSoon.INSTANCE, this::scanNow)
        .onMessage(Deadline.class, this::onDeadline)
        .onMessage(RetryReady.class, this::onRetryReady)
        .onMessage(AwaitExpired.class, this::onAwaitExpired)
        .onSignal(PreRestart.class, s -> unsubscribe())
        .onSignal(PostStop.class, s -> unsubscribe())
        .build();
  }

  /** The next incarnation subscribes again; events must not arrive twice. */
  private Behavior<Command> unsubscribe() {
    getContext().getSystem().eventStream().tell(new EventStream.Unsubscribe<>(events));
    return this;
  }

  private Behavior<Command> onPeers(GotPeers g) {
    for (PeerRecord p : g.peers().peers()) {
      peers.put(p.peerId(), p);
    }
    return scanNow();
  }

  private Behavior<Command> onEvent(IndexEvent e) {
    IndexEvents.Event ev = e.event();
    if (ev instanceof IndexEvents.PeerLive l) {
      peers.put(l.peer().peerId(), l.peer());
    } else if (ev instanceof IndexEvents.PeerDead d) {
      failTasksOf(d.peer(), "peer " + d.peer().peerId() + " died");
    } else if (ev instanceof IndexEvents.PeerUnregistered u) {
      failTasksOf(u.peer(), "peer " + u.peer().peerId() + " left");
      peers.remove(u.peer().peerId());
    } else if (ev instanceof IndexEvents.TaskReported r) {
      onReport(r);
      dispatch(); // a slot just freed up: fill it now, not after the scan's debounce
    }
    scheduleScan();
    return this;
  }

  private void onReport(IndexEvents.TaskReported r) {
    ReplicationLedger.Task t = ledger.running.get(r.taskId());
    if (t == null || !t.target.peerId().equals(r.peerId())) {
      getContext().getLog().debug("peer {}: report for unknown task {} ignored", r.peerId(), r.taskId());
      return;
    }
    timers.cancel("deadline:" + t.id);
    ledger.remove(t);
    if (ReplicationReport.DONE.equals(r.status())) {
      ledger.done++;
      ledger.attempts.remove(t.name);
      ledger.triedTargets.remove(t.name);
      ledger.awaitingAnnounce.computeIfAbsent(t.name, n -> new HashSet<>()).add(r.peerId());
      timers.startSingleTimer("await:" + t.name + ":" + r.peerId(), new AwaitExpired(t.name, r.peerId()),
          awaitTime());
      getContext().getLog().debug("task {}: {} copied to {}", t.id, t.name, r.peerId());
    } else {
      failed(t, r.error() == null ? "failed" : r.error(), true);
    }
  }

  private Behavior<Command> onDeadline(Deadline d) {
    ReplicationLedger.Task t = ledger.running.get(d.taskId());
    if (t != null) {
      ledger.remove(t);
      failed(t, "deadline passed", true);
      scheduleScan();
    }
    return this;
  }

  private void failTasksOf(PeerRecord peer, String why) {
    for (ReplicationLedger.Task t : new ArrayList<>(ledger.running.values())) {
      boolean isTarget = t.target == peer;
      if (isTarget || t.source == peer) {
        timers.cancel("deadline:" + t.id);
        ledger.remove(t);
        failed(t, why, isTarget);
      }
    }
  }

  /** Counts the failure and holds the name back for a backoff before it is tried again. */
  private void failed(ReplicationLedger.Task t, String why, boolean blameTarget) {
    ledger.failed++;
    if (blameTarget) {
      ledger.tried(t.name, t.target.peerId());
    }
    int n = ledger.attempts.merge(t.name, 1, Integer::sum);
    long ms = Math.min(30_000, 500L << Math.min(6, n - 1));
    backoff.add(t.name);
    timers.startSingleTimer("retry:" + t.name, new RetryReady(t.name), Duration.ofMillis(ms));
    getContext().getLog().info("task {}: copy of {} from {} to {} failed ({}); retry in {} ms",
        t.id, t.name, t.source.peerId(), t.target.peerId(), why, ms);
  }

  private Behavior<Command> onRetryReady(RetryReady r) {
    backoff.remove(r.name());
    return scanNow();
  }

  private Behavior<Command> onAwaitExpired(AwaitExpired a) {
    Set<String> ids = ledger.awaitingAnnounce.get(a.name());
    if (ids != null && ids.remove(a.peerId()) && ids.isEmpty()) {
      ledger.awaitingAnnounce.remove(a.name());
    }
    scheduleScan();
    return this;
  }

  /**
   * Events trigger scans; the tick only fills free slots, plus a full scan now and then as a
   * safety net (a scan walks every entry: not every few seconds on a million-entry index).
   */
  private Behavior<Command> onTick() {
    if (++ticks % FULL_SCAN_EVERY_TICKS == 0) {
      return scanNow();
    }
    dispatch();
    return this;
  }

  private void scheduleScan() {
    if (!scanScheduled) {
      scanScheduled = true;
      timers.startSingleTimer("scan", ScanSoon.INSTANCE, settings.scanDebounce());
    }
  }

  // ---- the scan: what is missing ----

  private Behavior<Command> scanNow() {
    scanScheduled = false;
    timers.cancel("scan");
    int live = 0;
    for (PeerRecord p : peers.values()) {
      if (p.isLive()) {
        live++;
      }
    }
    int want = Math.min(settings.replicationFactor(), live);
    Map<String, Long> bytes = new HashMap<>();
    long under = 0;
    for (int k = 0; k < view.routing().shards(); k++) {
      ConcurrentHashMap<String, Object> shard = view.shardMap(k);
      for (Map.Entry<String, Object> e : shard.entrySet()) {
        String name = e.getKey();
        Object set = e.getValue();
        Holder.forEach(set, h -> {
          if (h.peer().isLive()) {
            bytes.merge(h.peer().peerId(), h.size(), Long::sum);
          }
        });
        Set<String> waiting = ledger.awaitingAnnounce.get(name);
        if (waiting != null) {
          waiting.removeIf(id -> Holder.find(set, peers.get(id)) != null);
          if (waiting.isEmpty()) {
            ledger.awaitingAnnounce.remove(name);
          }
        }
        if (Holder.liveCount(set) < settings.replicationFactor()) {
          under++;
        }
        int need = want - Holder.count(set) - ledger.inFlight(name);
        if (need <= 0 || backoff.contains(name) || Holder.liveCount(set) == 0) {
          continue;
        }
        Holder any = liveHolder(set);
        for (int i = 0; i < need; i++) {
          ledger.enqueue(name, any.hasSize() ? any.size() : null, any.sha256());
        }
      }
    }
    bytesHeld = bytes;
    ledger.underReplicated = under;
    dispatch();
    return this;
  }

  private static Holder liveHolder(Object set) {
    Holder[] found = new Holder[1];
    Holder.forEach(set, h -> {
      if (found[0] == null && h.peer().isLive()) {
        found[0] = h;
      }
    });
    return found[0];
  }

  // ---- dispatch: who copies what, within the caps ----

  private void dispatch() {
    if (ledger.queued.isEmpty()) {
      return;
    }
    List<PeerRecord> live = new ArrayList<>(); // possible targets: live peers that run tasks
    for (PeerRecord p : peers.values()) {
      if (p.isLive() && p.takesTasks()) {
        live.add(p);
      }
    }
    Map<String, List<ReplicationTask>> batches = new LinkedHashMap<>();
    for (ReplicationLedger.Task t : new ArrayList<>(ledger.queued.values())) {
      if (ledger.running.size() >= settings.maxRunning() || !anyFreeSlot(live)) {
        break;
      }
      Object set = view.holdersOf(t.name);
      if (set == null || Holder.liveCount(set) == 0) {
        ledger.remove(t); // nobody left to copy from; the next scan decides again
        continue;
      }
      PeerRecord source = chooseSource(set);
      PeerRecord target = source == null ? null : chooseTarget(t.name, set, source, live);
      if (target == null) {
        continue; // stays queued until a slot or a peer frees up
      }
      ledger.start(t, source, target);
      timers.startSingleTimer("deadline:" + t.id, new Deadline(t.id), deadline(t));
      PeerRecord.Address a = source.address();
      batches.computeIfAbsent(target.peerId(), id -> new ArrayList<>()).add(new ReplicationTask(
          t.id, t.name, t.size, t.sha256, new PeerAddress(source.peerId(), a.host(), a.port())));
    }
    batches.forEach((peerId, tasks) -> {
      getContext().getLog().info("peer {}: {} replication task(s), e.g. {} from {}", peerId, tasks.size(),
          tasks.get(0).fileName(), tasks.get(0).source().peerId());
      registry.tell(new PeerRegistry.DeliverTasks(peerId, tasks));
    });
  }

  private boolean anyFreeSlot(List<PeerRecord> live) {
    for (PeerRecord p : live) {
      if (ledger.load(p) < settings.maxTasksPerPeer()) {
        return true;
      }
    }
    return false;
  }

  private PeerRecord chooseSource(Object set) {
    PeerRecord best = null;
    List<Holder> holders = new ArrayList<>();
    Holder.forEach(set, holders::add);
    for (Holder h : holders) {
      PeerRecord p = h.peer();
      if (!p.isLive() || ledger.uploads(p) >= maxUploads()) {
        continue;
      }
      if (best == null || ledger.uploads(p) < ledger.uploads(best)
          || (ledger.uploads(p) == ledger.uploads(best) && p.peerId().compareTo(best.peerId()) < 0)) {
        best = p;
      }
    }
    return best;
  }

  private PeerRecord chooseTarget(String name, Object set, PeerRecord source, List<PeerRecord> live) {
    Comparator<PeerRecord> order = Comparator.<PeerRecord>comparingInt(ledger::load)
        .thenComparingLong(p -> bytesHeld.getOrDefault(p.peerId(), 0L))
        .thenComparing(PeerRecord::peerId);
    Set<String> tried = ledger.triedTargets.getOrDefault(name, Set.of());
    PeerRecord best = null;
    PeerRecord bestTried = null; // if every candidate failed before, try them again anyway
    for (PeerRecord p : live) {
      if (p == source || Holder.find(set, p) != null || ledger.targets(name, p.peerId())
          || ledger.load(p) >= settings.maxTasksPerPeer()) {
        continue;
      }
      if (tried.contains(p.peerId())) {
        if (bestTried == null || order.compare(p, bestTried) < 0) {
          bestTried = p;
        }
      } else if (best == null || order.compare(p, best) < 0) {
        best = p;
      }
    }
    return best != null ? best : bestTried;
  }

  /** A source serves copies to several targets at once, each of which is capped itself. */
  private int maxUploads() {
    return 2 * settings.maxTasksPerPeer();
  }

  /** Delivery (up to a heartbeat) + a fixed allowance + the size at a modest 5 MiB/s. */
  private Duration deadline(ReplicationLedger.Task t) {
    long size = t.size == null ? 0 : t.size;
    return settings.heartbeatInterval().plusSeconds(15).plusMillis(size * 1000 / BYTES_PER_SECOND_FLOOR);
  }

  private Duration awaitTime() {
    return settings.heartbeatInterval().multipliedBy(2).plusSeconds(10);
  }
}
