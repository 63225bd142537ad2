package io.p2pshare.index;

import io.p2pshare.protocol.SearchQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The read side of the index (STYLE.md §9): one map per shard, name → holder set (a
 * {@link Holder} or {@code Holder[]}). Each map is written only by its {@link FileIndexShard};
 * connection streams read it synchronously, so an exact search costs no actor message at all.
 */
public final class IndexView {
  private final ShardRouting routing;
  private final ConcurrentHashMap<String, Object>[] shards;
  /** Cluster mode: which shards this node hosts now (unused in single-process mode: all are local). */
  private final java.util.concurrent.atomic.AtomicIntegerArray hosted;
  /** Cluster mode: how to ask the node that hosts a shard (null in single-process mode). */
  private volatile RemoteLookup remote;

  /** Cluster mode: STATS_RESPONSE counts over every node's shards (null in single-process mode). */
  private volatile ClusterCounts clusterCounts;

  /** Index counts summed over all shard entities, with the peers live / dead in grace cluster-wide. */
  @FunctionalInterface
  public interface ClusterCounts {
    java.util.concurrent.CompletionStage<ClusterTotals> counts(int replicationFactor);
  }

  public record ClusterTotals(Counts counts, int peersLive, int peersDead) {}

  void clusterCounts(ClusterCounts c) {
    this.clusterCounts = c;
  }

  public ClusterCounts clusterCounts() {
    return clusterCounts;
  }

  /** Exact lookups on shards hosted by another index node. */
  @FunctionalInterface
  public interface RemoteLookup {
    java.util.concurrent.CompletionStage<List<io.p2pshare.protocol.SearchResult>> lookup(SearchQuery query);
  }

  @SuppressWarnings("unchecked")
  public IndexView(ShardRouting routing) {
    this.routing = routing;
    this.shards = new ConcurrentHashMap[routing.shards()];
    this.hosted = new java.util.concurrent.atomic.AtomicIntegerArray(routing.shards());
    for (int i = 0; i < shards.length; i++) {
      shards[i] = new ConcurrentHashMap<>(1024);
    }
  }

  public ShardRouting routing() {
    return routing;
  }

  /** Cluster mode: no shard is local until its entity starts here; misses go to {@code remote}. */
  void clusterMode(RemoteLookup remote) {
    this.remote = remote;
  }

  void setHosted(int k, boolean on) {
    hosted.set(k, on ? 1 : 0);
  }

  /**
   * Null when {@code name}'s shard is answered here (always in single-process mode), else the
   * way to ask the node that hosts it.
   */
  public RemoteLookup remoteFor(String name) {
    RemoteLookup r = remote;
    if (r == null) {
      return null;
    }
    return hosted.get(routing.shardOf(name)) == 1 ? null : r;
  }

  /** The map shard {@code k} writes; only that shard may mutate it. */
  ConcurrentHashMap<String, Object> shardMap(int k) {
    return shards[k];
  }

  /** The holder set of {@code name} (a Holder, a Holder[] or null), dead peers included. */
  public Object holdersOf(String name) {
    return shards[routing.shardOf(name)].get(name);
  }

  /** Live holders of exactly {@code name} that pass the query's size filters, up to its limit. */
  public List<Holder> exact(String name, SearchQuery query) {
    Object set = holdersOf(name);
    if (set == null) {
      return List.of();
    }
    int limit = query == null ? SearchQuery.MAX_LIMIT : query.effectiveLimit();
    List<Holder> out = new ArrayList<>(Holder.count(set));
    Holder.forEach(set, h -> {
      if (out.size() < limit && h.peer.isLive() && sizeMatches(h, query)) {
        out.add(h);
      }
    });
    return out;
  }

  static boolean sizeMatches(Holder h, SearchQuery q) {
    if (q == null) {
      return true;
    }
    long size = h.size();
    return (q.minSize() == null || size >= q.minSize()) && (q.maxSize() == null || size <= q.maxSize());
  }

  /** Counts for STATS_RESPONSE, by a scan (stats are rare; searches never pay for this). */
  public Counts counts(int replicationFactor) {
    long files = 0;
    long entries = 0;
    long under = 0;
    for (ConcurrentHashMap<String, Object> m : shards) {
      for (Map.Entry<String, Object> e : m.entrySet()) {
        Object set = e.getValue();
        files++;
        entries += Holder.count(set);
        if (Holder.liveCount(set) < replicationFactor) {
          under++;
        }
      }
    }
    return new Counts(files, entries, under);
  }

  /** Names known, (name, peer) entries, names with fewer than RF live holders. */
  public record Counts(long files, long entries, long underReplicated) {}
}
