package io.p2pshare.index;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.pubsub.Topic;
import akka.cluster.sharding.typed.ShardingEnvelope;
import akka.cluster.sharding.typed.ShardingMessageExtractor;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.Join;
import akka.cluster.typed.SingletonActor;
import io.p2pshare.config.AppConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The root of an index node in cluster mode ({@code index --cluster}); same protocol as
 * {@link IndexGuardian}. The same actors as in single-process mode, wired across nodes:
 * <ul>
 *   <li>{@link ClusterShard} entities under Cluster Sharding ({@code shard-<k>} is Akka shard k):
 *       each name's holders live on exactly one node; {@link ClusterShardProxy} per shard here;
 *   <li>a {@link PeerRegistry} per node for the sessions of the peers connected to it, sharing
 *       peer records through the {@link PeerDirectory} and the {@link ClusterBridge};
 *   <li>the {@link ReplicationCoordinator} as a Cluster Singleton over an
 *       {@link UnderReplicatedMirror};
 *   <li>exact searches read this node's view when it hosts the name's shard, else ask the entity.
 * </ul>
 */
public final class ClusterIndexGuardian extends AbstractBehavior<IndexGuardian.Command> {

  private final ActorRef<ControlServer.Command> server;

  public static Behavior<IndexGuardian.Command> create(IndexGuardian.Settings settings) {
    return Behaviors.setup(ctx -> new ClusterIndexGuardian(ctx, settings));
  }

  private ClusterIndexGuardian(ActorContext<IndexGuardian.Command> context, IndexGuardian.Settings settings) {
    super(context);
    AppConfig cfg = settings.config();
    AppConfig.Replication rep = cfg.replication();
    ShardRouting routing = new ShardRouting(cfg.index().shards());
    IndexView view = new IndexView(routing);
    Cluster cluster = Cluster.get(context.getSystem());
    String self = cluster.selfMember().address().toString();
    PeerDirectory directory = new PeerDirectory(self);
    ClusterSharding sharding = ClusterSharding.get(context.getSystem());
    Duration askTimeout = Duration.ofSeconds(20);

    ActorRef<Topic.Command<ClusterBridge.Event>> topic =
        context.spawn(Topic.create(ClusterBridge.Event.class, ClusterBridge.TOPIC), "index-topic");
    sharding.init(Entity.of(ClusterShard.TYPE_KEY, ectx -> ClusterShard.create(ectx.getEntityId(), view,
            directory, k -> topic.tell(Topic.publish(new ClusterBridge.ShardStarted(self, k)))))
        .withMessageExtractor(new OneEntityPerShard(routing.shards())));
    RemoteLookups.Client remote = RemoteLookups.client(routing);
    context.spawn(RemoteLookups.create(remote, askTimeout), "remote-lookups");
    view.clusterMode(remote);
    view.clusterCounts(rf -> {
      List<java.util.concurrent.CompletableFuture<ClusterShard.ShardCounts>> parts = new ArrayList<>();
      for (int k = 0; k < routing.shards(); k++) {
        parts.add(sharding.entityRefFor(ClusterShard.TYPE_KEY, ShardRouting.entityId(k))
            .<ClusterShard.ShardCounts>ask(r -> new ClusterShard.GetCounts(rf, r), askTimeout).toCompletableFuture());
      }
      return java.util.concurrent.CompletableFuture.allOf(parts.toArray(new java.util.concurrent.CompletableFuture[0]))
          .thenApply(done -> totals(parts, directory));
    });

    List<ActorRef<FileIndexShard.Command>> shards = new ArrayList<>();
    for (int k = 0; k < routing.shards(); k++) {
      shards.add(context.spawn(ClusterShardProxy.create(k, directory), "shard-proxy-" + k));
    }
    Prober prober = settings.prober() != null ? settings.prober()
        : Prober.tcp(context.getSystem().dispatchers().lookup(DispatcherSelector.blocking()),
            Duration.ofMillis(Math.max(500, Math.min(rep.heartbeatIntervalMs(), 3000))));
    ActorRef<PeerRegistry.Command> registry = context.spawn(Behaviors.supervise(PeerRegistry.create(
        new PeerRegistry.Settings(rep.heartbeatIntervalMs(), rep.peerExpiryMs(),
            rep.rereplicationGraceMs(), cfg.peer().basePort(), cfg.index().maxFilesPerRegistration()),
        routing, shards, prober, directory::record)).onFailure(SupervisorStrategy.resume()), "registry");
    ActorRef<SearchRouter.Command> router = context.spawn(Behaviors.supervise(
        SearchRouter.create(view, shards, Duration.ofSeconds(10))).onFailure(SupervisorStrategy.restart()),
        "search-router");
    context.spawn(ClusterBridge.create(directory, topic, registry, shards,
        Duration.ofMillis(rep.peerExpiryMs()), Duration.ofMillis(rep.rereplicationGraceMs()),
        Duration.ofMillis(Math.max(1000, Math.min(rep.heartbeatIntervalMs(), 10_000)))), "cluster-bridge");
    ActorRef<PeerRegistry.Command> facade =
        context.spawn(ClusterRegistryFacade.create(directory, topic), "registry-facade");

    ReplicationLedger ledger = new ReplicationLedger();
    Duration heartbeat = Duration.ofMillis(rep.heartbeatIntervalMs());
    ClusterSingleton.get(context.getSystem()).init(SingletonActor.of(Behaviors.<ReplicationCoordinator.Command>setup(sctx -> {
      // The coordinator's sparse view: only what lacks copies, refreshed from the shards.
      IndexView mirror = new IndexView(routing);
      sctx.spawn(UnderReplicatedMirror.create(mirror, directory, rep.replicationFactor(), heartbeat), "mirror");
      return Behaviors.supervise(ReplicationCoordinator.create(new ReplicationCoordinator.Settings(
              rep.replicationFactor(), rep.maxTasksPerPeer(), IndexGuardian.MAX_RUNNING_TASKS, heartbeat,
              Duration.ofMillis(200)), mirror, ledger, facade))
          .onFailure(SupervisorStrategy.restart().withStopChildren(false));
    }), "replication-coordinator"));

    ConnectionHandler.Services services = new ConnectionHandler.Services(view, registry, router, ledger,
        context.getSystem().scheduler(), askTimeout, rep.replicationFactor(),
        System.currentTimeMillis(), settings.metrics());
    Duration idle = Duration.ofMillis(Math.max(30_000, 3 * rep.heartbeatIntervalMs()));
    server = context.spawn(ControlServer.create(new ControlServer.Settings(settings.host(), settings.port(),
        cfg.index().maxFrameBytes(), cfg.index().maxConnections(), idle,
        cfg.index().maxConnectionsPerAddress(), Duration.ofMillis(cfg.index().headerDeadlineMs()),
        io.p2pshare.transport.TlsSettings.forServer(io.p2pshare.transport.TlsSettings.from(cfg.tls())),
        cfg.index().controlLoops()),
        services), "control-server");

    if (context.getSystem().settings().config().getStringList("akka.cluster.seed-nodes").isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address())); // the first node
    }
    context.getLog().info("index node {} in cluster mode: {} shards, control port {}:{}", self,
        routing.shards(), settings.host(), settings.port());
  }

  @Override
  public Receive<IndexGuardian.Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(IndexGuardian.GetBinding.class, g -> {
          server.tell(new ControlServer.GetBinding(g.replyTo()));
          return this;
        })
        .build();
  }

  /** Sums the shards' counts; peers: live cluster-wide, dead = not live but still holding entries. */
  static IndexView.ClusterTotals totals(List<java.util.concurrent.CompletableFuture<ClusterShard.ShardCounts>> parts,
      PeerDirectory directory) {
    long files = 0;
    long entries = 0;
    long under = 0;
    java.util.Set<String> holding = new java.util.HashSet<>();
    for (java.util.concurrent.CompletableFuture<ClusterShard.ShardCounts> f : parts) {
      ClusterShard.ShardCounts c = f.join();
      files += c.files();
      entries += c.entries();
      under += c.underReplicated();
      holding.addAll(c.peers());
    }
    int live = 0;
    int dead = 0;
    for (PeerRecord r : directory.all()) {
      if (r.isLive()) {
        live++;
      } else if (holding.contains(r.peerId())) {
        dead++;
      }
    }
    return new IndexView.ClusterTotals(new IndexView.Counts(files, entries, under), live, dead);
  }

  /** Entity {@code shard-<k>} is Akka shard {@code k}: one entity per shard, moved one by one. */
  static final class OneEntityPerShard
      extends ShardingMessageExtractor<ShardingEnvelope<ClusterShard.Command>, ClusterShard.Command> {
    private final int shards;

    OneEntityPerShard(int shards) {
      this.shards = shards;
    }

    @Override
    public String entityId(ShardingEnvelope<ClusterShard.Command> envelope) {
      return envelope.entityId();
    }

    @Override
    public String shardId(String entityId) {
      return Integer.toString(Math.floorMod(ClusterShard.shardOf(entityId), shards));
    }

    @Override
    public ClusterShard.Command unwrapMessage(ShardingEnvelope<ClusterShard.Command> envelope) {
      return envelope.message();
    }
  }
}
