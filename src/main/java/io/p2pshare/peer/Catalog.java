package io.p2pshare.peer;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.transfer.FileEntry;
import io.p2pshare.transfer.Origin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The peer's files: scans shared/, replicated/ and downloaded/ (hashing on the blocking
 * dispatcher, with an on-disk cache), rescans periodically, tells subscribers what was added
 * or removed, and publishes the {@link CatalogView} the transfer server reads. It is the only
 * writer of that view.
 */
public final class Catalog extends AbstractBehavior<Catalog.Command> {

  public sealed interface Command
      permits Subscribe, Rescan, AddKnown, ListFiles, Lookup, Tick, ScanDone {}

  /** Sends {@code subscriber} the full set once known, then every change. */
  public record Subscribe(ActorRef<Delta> subscriber) implements Command {}

  /** Scan now instead of waiting for the next tick. */
  public enum Rescan implements Command { INSTANCE }

  /** A file the peer just wrote and verified: listed at once, never rehashed. */
  public record AddKnown(FileEntry entry) implements Command {}

  /** Every file of one origin (or all when {@code origin} is null), sorted by name. */
  public record ListFiles(Origin origin, ActorRef<Listing> replyTo) implements Command {}

  public record Listing(List<FileEntry> files) {}

  /** The held entry for a name, in any directory. */
  public record Lookup(String name, ActorRef<Found> replyTo) implements Command {}

  public record Found(Optional<FileEntry> entry) {}

  /** Changes to the set of names this peer serves ({@code full}: the complete set). */
  public record Delta(Map<String, FileMeta> added, Set<String> removed, boolean full) {
    public boolean isEmpty() {
      return added.isEmpty() && removed.isEmpty() && !full;
    }
  }

  private enum Tick implements Command { INSTANCE }

  private record ScanDone(CatalogScanner.Scan scan, Throwable failure) implements Command {}

  private static final Comparator<FileEntry> PRIORITY = Comparator.comparing(FileEntry::origin);

  private final CatalogScanner scanner;
  private final CatalogView view;
  private final Executor blocking;
  private final String peerId;
  private final List<ActorRef<Delta>> subscribers = new ArrayList<>();
  private Map<String, CatalogScanner.CacheEntry> cache;
  private Map<String, List<FileEntry>> byName = new HashMap<>();
  private Map<String, FileMeta> announced = new HashMap<>();
  private final Map<String, FileEntry> addedDuringScan = new HashMap<>();
  private boolean ready;
  private boolean scanning;
  private boolean rescanWanted;
  private boolean cacheDirty;

  public static Behavior<Command> create(
      String peerId, CatalogScanner scanner, CatalogView view, Duration rescanEvery) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new Catalog(ctx, timers, peerId, scanner, view, rescanEvery)));
  }

  private Catalog(ActorContext<Command> ctx, TimerScheduler<Command> timers, String peerId,
      CatalogScanner scanner, CatalogView view, Duration rescanEvery) {
    super(ctx);
    this.peerId = peerId;
    this.scanner = scanner;
    this.view = view;
    this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
    timers.startTimerWithFixedDelay(Tick.INSTANCE, rescanEvery);
    CompletableFuture<CatalogScanner.Scan> first = CompletableFuture.supplyAsync(() -> {
      Map<String, CatalogScanner.CacheEntry> loaded = scanner.load();
      return scanner.scan(loaded, false);
    }, blocking);
    scanning = true;
    ctx.pipeToSelf(first, ScanDone::new);
    cache = Map.of();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessageEquals(Rescan.INSTANCE, this::onRescan)
        .onMessageEquals(Tick.INSTANCE, this::onRescan)
        .onMessage(AddKnown.class, this::onAddKnown)
        .onMessage(ListFiles.class, this::onList)
        .onMessage(Lookup.class, this::onLookup)
        .onMessage(ScanDone.class, this::onScanDone)
        .build();
  }

  private Behavior<Command> onSubscribe(Subscribe s) {
    subscribers.add(s.subscriber());
    if (ready) {
      s.subscriber().tell(new Delta(Map.copyOf(announced), Set.of(), true));
    }
    return this;
  }

  private Behavior<Command> onRescan() {
    if (scanning) {
      rescanWanted = true;
      return this;
    }
    startScan();
    return this;
  }

  private void startScan() {
    scanning = true;
    rescanWanted = false;
    Map<String, CatalogScanner.CacheEntry> input = cache;
    boolean force = cacheDirty;
    cacheDirty = false;
    getContext().pipeToSelf(
        CompletableFuture.supplyAsync(() -> scanner.scan(input, force), blocking), ScanDone::new);
  }

  private Behavior<Command> onAddKnown(AddKnown a) {
    FileEntry e = a.entry();
    Map<String, CatalogScanner.CacheEntry> c = new HashMap<>(cache);
    CatalogScanner.CacheEntry ce = CatalogScanner.known(e);
    c.put(ce.key(), ce);
    cache = c;
    cacheDirty = true;
    if (scanning) {
      addedDuringScan.put(e.name(), e);
    }
    List<FileEntry> list = new ArrayList<>(byName.getOrDefault(e.name(), List.of()));
    list.removeIf(x -> x.origin() == e.origin());
    list.add(e);
    list.sort(PRIORITY);
    byName.put(e.name(), List.copyOf(list));
    if (ready) {
      publishAndDiff();
    }
    return this;
  }

  private Behavior<Command> onList(ListFiles l) {
    List<FileEntry> out = new ArrayList<>();
    for (List<FileEntry> list : byName.values()) {
      for (FileEntry e : list) {
        if (l.origin() == null || e.origin() == l.origin()) {
          out.add(e);
        }
      }
    }
    out.sort(Comparator.comparing(FileEntry::name));
    l.replyTo().tell(new Listing(out));
    return this;
  }

  private Behavior<Command> onLookup(Lookup l) {
    List<FileEntry> list = byName.get(l.name());
    l.replyTo().tell(new Found(list == null || list.isEmpty()
        ? Optional.empty() : Optional.of(list.get(0))));
    return this;
  }

  private Behavior<Command> onScanDone(ScanDone d) {
    scanning = false;
    if (d.failure() != null) {
      getContext().getLog().warn("[{}] catalog scan failed: {}", peerId, d.failure().toString());
    } else {
      CatalogScanner.Scan scan = d.scan();
      cache = scan.cache();
      Map<String, List<FileEntry>> next = new HashMap<>();
      for (FileEntry e : scan.entries()) {
        next.computeIfAbsent(e.name(), k -> new ArrayList<>()).add(e);
      }
      for (FileEntry e : addedDuringScan.values()) {
        List<FileEntry> list = next.computeIfAbsent(e.name(), k -> new ArrayList<>());
        if (list.stream().noneMatch(x -> x.origin() == e.origin())) {
          list.add(e);
        }
      }
      addedDuringScan.clear();
      next.replaceAll((k, v) -> {
        v.sort(PRIORITY);
        return List.copyOf(v);
      });
      byName = next;
      if (scan.hashed() > 0) {
        getContext().getLog().info("[{}] catalog: hashed {} files, {} names held",
            peerId, scan.hashed(), byName.size());
      }
      publishAndDiff();
    }
    if (rescanWanted) {
      startScan();
    }
    return this;
  }

  /** Swaps the view and tells subscribers what changed since the last announcement. */
  private void publishAndDiff() {
    view.publish(byName);
    Map<String, FileMeta> now = new LinkedHashMap<>();
    for (Map.Entry<String, List<FileEntry>> e : byName.entrySet()) {
      FileEntry f = e.getValue().get(0);
      now.put(e.getKey(), new FileMeta(f.size(), f.sha256()));
    }
    Delta delta;
    if (!ready) {
      ready = true;
      delta = new Delta(Map.copyOf(now), Set.of(), true);
      getContext().getLog().info("[{}] catalog ready: {} files", peerId, now.size());
    } else {
      Map<String, FileMeta> added = new HashMap<>();
      for (Map.Entry<String, FileMeta> e : now.entrySet()) {
        if (!e.getValue().equals(announced.get(e.getKey()))) {
          added.put(e.getKey(), e.getValue());
        }
      }
      Set<String> removed = new HashSet<>(announced.keySet());
      removed.removeAll(now.keySet());
      delta = new Delta(Map.copyOf(added), Set.copyOf(removed), false);
    }
    announced = now;
    if (!delta.isEmpty()) {
      subscribers.forEach(s -> s.tell(delta));
    }
  }
}
