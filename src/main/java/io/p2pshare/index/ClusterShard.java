package io.p2pshare.index;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Cluster mode: the Cluster Sharding entity {@code shard-<k>}. It owns shard k's part of the index
 * on whichever node sharding placed it: it runs the unchanged {@link FileIndexShard} as its child
 * (writing this node's {@link IndexView} map k), translates the serializable cluster messages into
 * that actor's protocol (peers interned through this node's {@link PeerDirectory}), answers exact
 * lookups from other nodes, and reports under-replicated names to the replication coordinator.
 *
 * <p>The state is not persisted: an entity that starts here after a node died or a rebalance moved
 * it is empty, and says so ({@code onStart}); the registries then ask the affected peers to
 * register again.
 */
public final class ClusterShard extends AbstractBehavior<ClusterShard.Command> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "file-shard");

  public sealed interface Command extends ClusterSerializable
      permits Apply, RemovePeer, Scan, GetPeerLoad, Lookup, LookupBatch, UnderReplicated, GetCounts {}

  /** {@link FileIndexShard.Apply} across nodes. */
  public record Apply(long regId, PeerInfo peer, String mode, Map<String, FileMeta> files,
      ActorRef<FileIndexShard.Applied> replyTo) implements Command {}

  /** {@link FileIndexShard.RemovePeer} across nodes ({@code replyTo} may be null). */
  public record RemovePeer(long regId, PeerInfo peer, ActorRef<FileIndexShard.Applied> replyTo)
      implements Command {}

  /** {@link FileIndexShard.Scan} across nodes. */
  public record Scan(String contains, Long minSize, Long maxSize, int limit,
      ActorRef<FileIndexShard.ScanResult> replyTo) implements Command {}

  public record GetPeerLoad(ActorRef<FileIndexShard.PeerLoad> replyTo) implements Command {}

  /** An exact-name search asked by a node that does not host this shard. */
  public record Lookup(SearchQuery query, ActorRef<LookupResult> replyTo) implements Command {}

  public record LookupResult(List<SearchResult> results) implements ClusterSerializable {}

  /** Several exact searches at once (see {@link RemoteLookups}); answered in the same order. */
  public record LookupBatch(long batchId, List<SearchQuery> queries, ActorRef<LookupBatchResult> replyTo)
      implements Command {}

  public record LookupBatchResult(long batchId, List<List<SearchResult>> results) implements ClusterSerializable {}

  /** For STATS_RESPONSE: this shard's counts and the peers that hold entries here. */
  public record GetCounts(int rf, ActorRef<ShardCounts> replyTo) implements Command {}

  public record ShardCounts(long files, long entries, long underReplicated, List<String> peers)
      implements ClusterSerializable {}

  /** Names with fewer than {@code rf} live holders, at most {@code max} of them. */
  public record UnderReplicated(int rf, int max, ActorRef<UnderReplicatedResult> replyTo) implements Command {}

  /** One name's holder set: parallel lists of holders (dead ones included) and their metas. */
  public record Entry(String name, List<PeerInfo> holders, List<FileMeta> metas) implements ClusterSerializable {}

  public record UnderReplicatedResult(int shard, List<Entry> entries) implements ClusterSerializable {}

  private final int shard;
  private final IndexView view;
  private final PeerDirectory directory;
  private final ActorRef<FileIndexShard.Command> inner;

  /**
   * {@code onStart} runs once per incarnation with the shard number (the registries' cue that
   * this shard's entries are gone).
   */
  public static Behavior<Command> create(String entityId, IndexView view, PeerDirectory directory,
      Consumer<Integer> onStart) {
    return Behaviors.setup(ctx -> new ClusterShard(ctx, shardOf(entityId), view, directory, onStart));
  }

  static int shardOf(String entityId) {
    return Integer.parseInt(entityId.substring(entityId.lastIndexOf('-') + 1));
  }

  private ClusterShard(ActorContext<Command> context, int shard, IndexView view, PeerDirectory directory,
      Consumer<Integer> onStart) {
    super(context);
    this.shard = shard;
    this.view = view;
    this.directory = directory;
    view.shardMap(shard).clear(); // whatever an earlier incarnation here left is stale
    view.setHosted(shard, true);
    this.inner = context.spawn(Behaviors.supervise(FileIndexShard.create(shard, view))
        .onFailure(akka.actor.typed.SupervisorStrategy.restart()), "index");
    context.getLog().info("shard-{} started on this node (empty)", shard);
    onStart.accept(shard);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Apply.class, a -> {
          directory.apply(a.peer()); // a newer snapshot seen here already wins
          inner.tell(new FileIndexShard.Apply(a.regId(), directory.record(a.peer().peerId()),
              a.mode(), a.files(), a.replyTo()));
          return this;
        })
        .onMessage(RemovePeer.class, r -> {
          directory.apply(r.peer());
          inner.tell(new FileIndexShard.RemovePeer(r.regId(), directory.record(r.peer().peerId()), r.replyTo()));
          return this;
        })
        .onMessage(Scan.class, s -> {
          inner.tell(new FileIndexShard.Scan(s.contains(), s.minSize(), s.maxSize(), s.limit(), s.replyTo()));
          return this;
        })
        .onMessage(GetPeerLoad.class, g -> {
          inner.tell(new FileIndexShard.GetPeerLoad(g.replyTo()));
          return this;
        })
        .onMessage(Lookup.class, this::onLookup)
        .onMessage(LookupBatch.class, b -> {
          List<List<SearchResult>> out = new ArrayList<>(b.queries().size());
          for (SearchQuery q : b.queries()) {
            out.add(lookup(view, q));
          }
          b.replyTo().tell(new LookupBatchResult(b.batchId(), out));
          return this;
        })
        .onMessage(UnderReplicated.class, this::onUnderReplicated)
        .onMessage(GetCounts.class, this::onGetCounts)
        .onSignal(PostStop.class, s -> {
          // Handed off or the node is leaving: this node no longer answers for shard k.
          view.setHosted(shard, false);
          view.shardMap(shard).clear();
          return this;
        })
        .build();
  }

  private Behavior<Command> onLookup(Lookup l) {
    l.replyTo().tell(new LookupResult(lookup(view, l.query())));
    return this;
  }

  /** Exact-name results from this node's view (live holders, size filters, limit). */
  static List<SearchResult> lookup(IndexView view, SearchQuery q) {
    List<Holder> holders = view.exact(q.fileName(), q);
    List<SearchResult> out = new ArrayList<>(holders.size());
    for (Holder h : holders) {
      SearchResult r = FileIndexShard.result(q.fileName(), h);
      out.add(new SearchResult(r.peerId(), r.peer(), r.meta(), null));
    }
    return out;
  }

  private Behavior<Command> onGetCounts(GetCounts g) {
    long files = 0;
    long entries = 0;
    long under = 0;
    java.util.Set<String> peers = new java.util.HashSet<>();
    for (Object set : view.shardMap(shard).values()) {
      files++;
      entries += Holder.count(set);
      if (Holder.liveCount(set) < g.rf()) {
        under++;
      }
      Holder.forEach(set, h -> peers.add(h.peer().peerId()));
    }
    g.replyTo().tell(new ShardCounts(files, entries, under, new ArrayList<>(peers)));
    return this;
  }

  private Behavior<Command> onUnderReplicated(UnderReplicated u) {
    List<Entry> out = new ArrayList<>();
    for (Map.Entry<String, Object> e : view.shardMap(shard).entrySet()) {
      if (out.size() >= u.max()) {
        break;
      }
      Object set = e.getValue();
      if (Holder.liveCount(set) >= u.rf()) {
        continue;
      }
      List<PeerInfo> holders = new ArrayList<>(2);
      List<FileMeta> metas = new ArrayList<>(2);
      Holder.forEach(set, h -> {
        PeerRecord.Address a = h.peer().address();
        // version 0, no origin: the coordinator's node interns the id, it never applies these.
        holders.add(new PeerInfo(h.peer().peerId(), a.host(), a.port(), h.peer().isLive(),
            h.peer().takesTasks(), 0, null));
        metas.add(h.meta());
      });
      out.add(new Entry(e.getKey(), holders, metas));
    }
    u.replyTo().tell(new UnderReplicatedResult(shard, out));
    return this;
  }
}
