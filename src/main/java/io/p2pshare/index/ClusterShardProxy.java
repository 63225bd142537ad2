package io.p2pshare.index;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Cluster mode: stands in for one {@link FileIndexShard} on this node, so the registry and the
 * search router keep talking to a plain {@code ActorRef<FileIndexShard.Command>}. Each message
 * goes on, with its peer as a {@link PeerInfo} snapshot, to the sharded {@link ClusterShard}
 * entity wherever it lives; replies go straight back to the original {@code replyTo}.
 */
public final class ClusterShardProxy extends AbstractBehavior<FileIndexShard.Command> {

  private final EntityRef<ClusterShard.Command> entity;
  private final PeerDirectory directory;

  public static Behavior<FileIndexShard.Command> create(int shard, PeerDirectory directory) {
    return Behaviors.setup(ctx -> new ClusterShardProxy(ctx, shard, directory));
  }

  private ClusterShardProxy(ActorContext<FileIndexShard.Command> context, int shard, PeerDirectory directory) {
    super(context);
    this.entity = ClusterSharding.get(context.getSystem())
        .entityRefFor(ClusterShard.TYPE_KEY, ShardRouting.entityId(shard));
    this.directory = directory;
  }

  @Override
  public Receive<FileIndexShard.Command> createReceive() {
    return newReceiveBuilder()
        // Only live sessions register: the entity's node sees the peer live with its files.
        .onMessage(FileIndexShard.Apply.class, a -> forward(new ClusterShard.Apply(a.regId(),
            directory.snapshot(a.peer(), Boolean.TRUE), a.mode(), a.files(), a.replyTo())))
        .onMessage(FileIndexShard.RemovePeer.class, r -> forward(new ClusterShard.RemovePeer(r.regId(),
            directory.snapshot(r.peer(), null), r.replyTo())))
        .onMessage(FileIndexShard.Scan.class, s -> forward(new ClusterShard.Scan(s.contains(), s.minSize(),
            s.maxSize(), s.limit(), s.replyTo())))
        .onMessage(FileIndexShard.GetPeerLoad.class, g -> forward(new ClusterShard.GetPeerLoad(g.replyTo())))
        .build();
  }

  private Behavior<FileIndexShard.Command> forward(ClusterShard.Command msg) {
    entity.tell(msg);
    return this;
  }
}
