package io.p2pshare.index;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cluster mode: stands in for one {@link FileIndexShard} on this node, so the registry and the
 * search router keep talking to a plain {@code ActorRef<FileIndexShard.Command>}. Each message
 * goes on, with its peer as a {@link PeerInfo} snapshot, to the sharded {@link ClusterShard}
 * entity wherever it lives.
 *
 * <p>Sharding drops messages buffered for a shard that is being handed off (to keep their
 * order), so registrations and removals are acknowledged here and sent again, in their original
 * order, until the entity confirms them (both are idempotent). Without this a registration that
 * hit a hand-off would never be answered.
 */
public final class ClusterShardProxy extends AbstractBehavior<Object> {

  private record Acked(FileIndexShard.Applied applied) {}

  private enum Resend { INSTANCE }

  private record Outstanding(ClusterShard.Command msg, ActorRef<FileIndexShard.Applied> replyTo, long sentAt) {}

  static final Duration RESEND_AFTER = Duration.ofSeconds(2);

  private final EntityRef<ClusterShard.Command> entity;
  private final PeerDirectory directory;
  private final ActorRef<FileIndexShard.Applied> ack;
  /** By the proxy's own sequence number, in sending order. */
  private final Map<Long, Outstanding> outstanding = new LinkedHashMap<>();
  private final Map<Long, Long> regIdOf = new LinkedHashMap<>();
  private long seq = 1;

  public static Behavior<FileIndexShard.Command> create(int shard, PeerDirectory directory) {
    // Object inside: the proxy also receives its own acks and ticks (FileIndexShard.Command is sealed).
    return Behaviors.<Object>setup(ctx -> Behaviors.withTimers(timers ->
        new ClusterShardProxy(ctx, timers, shard, directory))).narrow();
  }

  private ClusterShardProxy(ActorContext<Object> context, TimerScheduler<Object> timers,
      int shard, PeerDirectory directory) {
    super(context);
    this.entity = ClusterSharding.get(context.getSystem())
        .entityRefFor(ClusterShard.TYPE_KEY, ShardRouting.entityId(shard));
    this.directory = directory;
    this.ack = context.messageAdapter(FileIndexShard.Applied.class, Acked::new);
    timers.startTimerWithFixedDelay(Resend.INSTANCE, RESEND_AFTER);
  }

  @Override
  public Receive<Object> createReceive() {
    return newReceiveBuilder()
        // Only live sessions register: the entity's node sees the peer live with its files.
        .onMessage(FileIndexShard.Apply.class, a -> tracked(a.regId(), a.replyTo(), id -> new ClusterShard.Apply(id,
            directory.snapshot(a.peer(), Boolean.TRUE), a.mode(), a.files(), ack)))
        .onMessage(FileIndexShard.RemovePeer.class, r -> tracked(r.regId(), r.replyTo(), id ->
            new ClusterShard.RemovePeer(id, directory.snapshot(r.peer(), null), ack)))
        .onMessage(FileIndexShard.Scan.class, s -> forward(new ClusterShard.Scan(s.contains(), s.minSize(),
            s.maxSize(), s.limit(), s.replyTo())))
        .onMessage(FileIndexShard.GetPeerLoad.class, g -> forward(new ClusterShard.GetPeerLoad(g.replyTo())))
        .onMessage(Acked.class, this::onAcked)
        .onMessageEquals(Resend.INSTANCE, this::onResend)
        .build();
  }

  private Behavior<Object> tracked(long regId, ActorRef<FileIndexShard.Applied> replyTo,
      java.util.function.LongFunction<ClusterShard.Command> msg) {
    long id = seq++;
    ClusterShard.Command m = msg.apply(id); // the entity answers with our id, we map it back
    outstanding.put(id, new Outstanding(m, replyTo, System.nanoTime()));
    regIdOf.put(id, regId);
    entity.tell(m);
    return this;
  }

  private Behavior<Object> onAcked(Acked a) {
    long id = a.applied().regId();
    Outstanding o = outstanding.remove(id);
    Long regId = regIdOf.remove(id);
    if (o != null && o.replyTo() != null) { // the first answer only: a resent copy may answer too
      FileIndexShard.Applied x = a.applied();
      o.replyTo().tell(new FileIndexShard.Applied(regId, x.shard(), x.added(), x.removed(), x.peerFiles()));
    }
    return this;
  }

  private Behavior<Object> onResend() {
    long now = System.nanoTime();
    List<Long> due = new ArrayList<>();
    outstanding.forEach((id, o) -> {
      if (now - o.sentAt() >= RESEND_AFTER.toNanos()) {
        due.add(id);
      }
    });
    if (!due.isEmpty()) {
      getContext().getLog().info("{}: {} unacknowledged update(s) sent again", entity.getEntityId(), due.size());
      for (long id : due) { // in the original order
        Outstanding o = outstanding.get(id);
        outstanding.put(id, new Outstanding(o.msg(), o.replyTo(), now));
        entity.tell(o.msg());
      }
    }
    return this;
  }

  private Behavior<Object> forward(ClusterShard.Command msg) {
    entity.tell(msg);
    return this;
  }
}
