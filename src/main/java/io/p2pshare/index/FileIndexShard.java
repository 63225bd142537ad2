package io.p2pshare.index;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.eventstream.EventStream;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.RegistryRequest;
import io.p2pshare.protocol.SearchResult;
import io.p2pshare.protocol.PeerAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One shard of the file index ({@code shard-<k>}): the only writer of its map in the
 * {@link IndexView}. Applies registrations (full / add / remove), drops a peer's entries, and
 * answers substring scans for the {@link SearchRouter}'s scatter/gather.
 */
public final class FileIndexShard extends AbstractBehavior<FileIndexShard.Command> {

  public sealed interface Command permits Apply, RemovePeer, Scan, GetPeerLoad {}

  /** This shard's part of a registration: {@code files} are the names routed here. */
  public record Apply(long regId, PeerRecord peer, String mode, Map<String, FileMeta> files,
      ActorRef<Applied> replyTo) implements Command {}

  /** Drops every entry of {@code peer} in this shard (unregister, purge after expiry). */
  public record RemovePeer(long regId, PeerRecord peer, ActorRef<Applied> replyTo) implements Command {}

  /** Case-insensitive substring scan: the first {@code limit + 1} matches by (name, peer id). */
  public record Scan(String contains, Long minSize, Long maxSize, int limit,
      ActorRef<ScanResult> replyTo) implements Command {}

  /** Files and bytes each peer holds in this shard. */
  public record GetPeerLoad(ActorRef<PeerLoad> replyTo) implements Command {}

  /** Result of an Apply or RemovePeer: how many files the peer now has in this shard. */
  public record Applied(long regId, int shard, int added, int removed, int peerFiles)
      implements ClusterSerializable {}

  public record ScanResult(int shard, List<SearchResult> results) implements ClusterSerializable {}

  public record PeerLoad(int shard, Map<String, long[]> filesAndBytes) implements ClusterSerializable {}

  private final int shard;
  private final ConcurrentHashMap<String, Object> map;
  /** Per-peer file count and bytes in this shard: skips scans for peers with nothing here. */
  private final Map<PeerRecord, long[]> perPeer = new HashMap<>();

  public static Behavior<Command> create(int shard, IndexView view) {
    return Behaviors.setup(ctx -> new FileIndexShard(ctx, shard, view));
  }

  private FileIndexShard(ActorContext<Command> context, int shard, IndexView view) {
    super(context);
    this.shard = shard;
    this.map = view.shardMap(shard);
    // After a restart the map survived (the view outlives the actor): rebuild the counters.
    for (Object set : map.values()) {
      Holder.forEach(set, this::count);
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Apply.class, this::onApply)
        .onMessage(RemovePeer.class, this::onRemovePeer)
        .onMessage(Scan.class, this::onScan)
        .onMessage(GetPeerLoad.class, this::onGetPeerLoad)
        .build();
  }

  private Behavior<Command> onApply(Apply a) {
    List<String> added = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    switch (a.mode()) {
      case RegistryRequest.REMOVE -> {
        for (String name : a.files().keySet()) {
          if (removeEntry(name, a.peer())) {
            removed.add(name);
          }
        }
      }
      case RegistryRequest.ADD -> put(a.peer(), a.files(), added);
      default -> { // full: the new set replaces what this peer had here
        if (peerFiles(a.peer()) > 0) {
          List<String> stale = new ArrayList<>();
          for (Map.Entry<String, Object> e : map.entrySet()) {
            if (!a.files().containsKey(e.getKey()) && Holder.find(e.getValue(), a.peer()) != null) {
              stale.add(e.getKey());
            }
          }
          for (String name : stale) {
            if (removeEntry(name, a.peer())) {
              removed.add(name);
            }
          }
        }
        put(a.peer(), a.files(), added);
      }
    }
    publish(a.peer(), added, removed);
    getContext().getLog().debug("shard-{} peer {} reg {} {}: +{} -{}", shard, a.peer().peerId(),
        a.regId(), a.mode(), added.size(), removed.size());
    a.replyTo().tell(new Applied(a.regId(), shard, added.size(), removed.size(), peerFiles(a.peer())));
    return this;
  }

  private Behavior<Command> onRemovePeer(RemovePeer r) {
    List<String> removed = new ArrayList<>();
    if (peerFiles(r.peer()) > 0) {
      for (Map.Entry<String, Object> e : map.entrySet()) {
        if (Holder.find(e.getValue(), r.peer()) != null) {
          removed.add(e.getKey());
        }
      }
      for (String name : removed) {
        removeEntry(name, r.peer());
      }
    }
    perPeer.remove(r.peer());
    publish(r.peer(), List.of(), removed);
    if (r.replyTo() != null) {
      r.replyTo().tell(new Applied(r.regId(), shard, 0, removed.size(), 0));
    }
    return this;
  }

  private record Match(String name, Holder holder) {}

  private static final Comparator<Match> ORDER =
      Comparator.comparing(Match::name).thenComparing(m -> m.holder().peer().peerId());

  private Behavior<Command> onScan(Scan s) {
    String needle = s.contains().toLowerCase(Locale.ROOT);
    int keep = s.limit() + 1; // one more than asked tells the router the result was truncated
    PriorityQueue<Match> best = new PriorityQueue<>(ORDER.reversed()); // head = worst kept
    for (Map.Entry<String, Object> e : map.entrySet()) {
      String name = e.getKey();
      if (!containsIgnoreCase(name, needle)) {
        continue;
      }
      Holder.forEach(e.getValue(), h -> {
        if (!h.peer.isLive() || !sizeOk(h, s)) {
          return;
        }
        Match m = new Match(name, h);
        if (best.size() < keep) {
          best.add(m);
        } else if (ORDER.compare(m, best.peek()) < 0) {
          best.poll();
          best.add(m);
        }
      });
    }
    List<SearchResult> out = new ArrayList<>(best.size());
    for (Match m : best) {
      out.add(result(m.name(), m.holder()));
    }
    s.replyTo().tell(new ScanResult(shard, out));
    return this;
  }

  private Behavior<Command> onGetPeerLoad(GetPeerLoad g) {
    Map<String, long[]> copy = new HashMap<>();
    perPeer.forEach((p, c) -> copy.put(p.peerId(), c.clone()));
    g.replyTo().tell(new PeerLoad(shard, copy));
    return this;
  }

  static SearchResult result(String name, Holder h) {
    PeerRecord.Address a = h.peer().address();
    return new SearchResult(h.peer().peerId(), new PeerAddress(h.peer().peerId(), a.host(), a.port()),
        h.meta(), name);
  }

  private static boolean sizeOk(Holder h, Scan s) {
    long size = h.size();
    return (s.minSize() == null || size >= s.minSize()) && (s.maxSize() == null || size <= s.maxSize());
  }

  /** Substring test without allocating a lowercased copy of every name. */
  static boolean containsIgnoreCase(String haystack, String lowerNeedle) {
    int n = lowerNeedle.length();
    for (int i = 0, last = haystack.length() - n; i <= last; i++) {
      if (haystack.regionMatches(true, i, lowerNeedle, 0, n)) {
        return true;
      }
    }
    return false;
  }

  private void put(PeerRecord peer, Map<String, FileMeta> files, List<String> added) {
    for (Map.Entry<String, FileMeta> f : files.entrySet()) {
      Holder h = new Holder(peer, f.getValue());
      Object cur = map.get(f.getKey());
      Holder old = Holder.find(cur, peer);
      if (old != null) {
        uncount(old);
      } else {
        added.add(f.getKey());
      }
      map.put(f.getKey(), Holder.with(cur, h));
      count(h);
    }
  }

  private boolean removeEntry(String name, PeerRecord peer) {
    Object cur = map.get(name);
    Holder old = Holder.find(cur, peer);
    if (old == null) {
      return false;
    }
    Object next = Holder.without(cur, peer);
    if (next == null) {
      map.remove(name);
    } else {
      map.put(name, next);
    }
    uncount(old);
    return true;
  }

  private void count(Holder h) {
    long[] c = perPeer.computeIfAbsent(h.peer(), p -> new long[2]);
    c[0]++;
    c[1] += h.size();
  }

  private void uncount(Holder h) {
    long[] c = perPeer.get(h.peer());
    if (c != null) {
      c[0]--;
      c[1] -= h.size();
      if (c[0] <= 0) {
        perPeer.remove(h.peer());
      }
    }
  }

  private int peerFiles(PeerRecord peer) {
    long[] c = perPeer.get(peer);
    return c == null ? 0 : (int) c[0];
  }

  private void publish(PeerRecord peer, List<String> added, List<String> removed) {
    if (!added.isEmpty() || !removed.isEmpty()) {
      getContext().getSystem().eventStream().tell(
          new EventStream.Publish<>(new IndexEvents.HoldersChanged(shard, peer, added, removed)));
    }
  }
}
