package io.p2pshare.index;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.eventstream.EventStream;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import io.p2pshare.protocol.FileMeta;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cluster mode, next to the replication coordinator singleton: keeps a sparse {@link IndexView}
 * (the coordinator's view) holding only the names that have fewer than RF live holders, as the
 * shard entities report them every refresh interval. The coordinator runs unchanged on it: names
 * with enough holders need no task, so it never needs the whole index in one place. After a
 * refresh that changed anything it publishes a {@link IndexEvents.HoldersChanged}, which makes the
 * coordinator scan.
 */
public final class UnderReplicatedMirror extends AbstractBehavior<UnderReplicatedMirror.Command> {

  public sealed interface Command permits Refresh, Got {}

  private enum Refresh implements Command { INSTANCE }

  private record Got(ClusterShard.UnderReplicatedResult result) implements Command {}

  /** Per shard and refresh: bounds the message size and the coordinator's work per scan. */
  static final int MAX_PER_SHARD = 2000;

  private final IndexView mirror;
  private final PeerDirectory directory;
  private final int rf;
  private final ActorRef<ClusterShard.UnderReplicatedResult> adapter;
  private final ClusterSharding sharding;
  private final Map<Integer, Integer> lastSizes = new HashMap<>();

  public static Behavior<Command> create(IndexView mirror, PeerDirectory directory, int rf, Duration every) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new UnderReplicatedMirror(ctx, timers, mirror, directory, rf, every)));
  }

  private UnderReplicatedMirror(ActorContext<Command> context, TimerScheduler<Command> timers, IndexView mirror,
      PeerDirectory directory, int rf, Duration every) {
    super(context);
    this.mirror = mirror;
    this.directory = directory;
    this.rf = rf;
    this.sharding = ClusterSharding.get(context.getSystem());
    this.adapter = context.messageAdapter(ClusterShard.UnderReplicatedResult.class, Got::new);
    timers.startTimerWithFixedDelay(Refresh.INSTANCE, every);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Refresh.INSTANCE, this::onRefresh)
        .onMessage(Got.class, this::onGot)
        .build();
  }

  private Behavior<Command> onRefresh() {
    for (int k = 0; k < mirror.routing().shards(); k++) {
      sharding.entityRefFor(ClusterShard.TYPE_KEY, ShardRouting.entityId(k))
          .tell(new ClusterShard.UnderReplicated(rf, MAX_PER_SHARD, adapter));
    }
    return this;
  }

  private Behavior<Command> onGot(Got g) {
    ClusterShard.UnderReplicatedResult r = g.result();
    if (r.shard() < 0 || r.shard() >= mirror.routing().shards()) {
      return this;
    }
    ConcurrentHashMap<String, Object> map = mirror.shardMap(r.shard());
    Map<String, Object> fresh = new HashMap<>();
    for (ClusterShard.Entry e : r.entries()) {
      Object set = null;
      List<PeerInfo> holders = e.holders();
      for (int i = 0; i < holders.size(); i++) {
        FileMeta meta = i < e.metas().size() ? e.metas().get(i) : null;
        set = Holder.with(set, new Holder(directory.record(holders.get(i).peerId()), meta));
      }
      if (set != null) {
        fresh.put(e.name(), set);
      }
    }
    boolean changed = !map.keySet().equals(fresh.keySet())
        || !lastSizes.getOrDefault(r.shard(), -1).equals(holderCount(fresh));
    map.keySet().retainAll(fresh.keySet());
    map.putAll(fresh);
    lastSizes.put(r.shard(), holderCount(fresh));
    if (changed) {
      getContext().getSystem().eventStream().tell(new EventStream.Publish<>(
          new IndexEvents.HoldersChanged(r.shard(), null, List.of(), List.of())));
    }
    return this;
  }

  private static Integer holderCount(Map<String, Object> m) {
    int n = 0;
    for (Object set : m.values()) {
      n += Holder.count(set);
    }
    return n;
  }
}
