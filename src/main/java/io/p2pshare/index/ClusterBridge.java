package io.p2pshare.index;

import akka.actor.Address;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.eventstream.EventStream;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.pubsub.Topic;
import akka.cluster.ClusterEvent;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import io.p2pshare.protocol.ReplicationTask;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Cluster mode: carries what one node's registry learns to every other node, over one
 * Distributed Pub/Sub topic. Local {@link IndexEvents} about peers become {@link PeerUpdate}s
 * (applied to each node's {@link PeerDirectory} and re-published on that node's event stream, for
 * the replication coordinator wherever the singleton runs); a session that opened elsewhere
 * releases ours; a shard that restarted empty makes every registry ask its affected peers to
 * register again; replication tasks reach the node that holds the target's connection.
 *
 * <p>The topic promises no delivery: its list of nodes is eventually consistent, so an update
 * published before another node's topic is known there (a node that just joined, or joins later)
 * never arrives. Every {@code sync} interval each node therefore publishes a {@link PeerDigest} of
 * the live sessions it holds, at the versions it last issued; a node applies only what it has
 * not seen, so a lost update is repaired within one interval and nothing is re-versioned.
 *
 * <p>When a node leaves the cluster, the sessions it held are orphaned: their peers either fail
 * over (their re-registration elsewhere supersedes the orphan) or are gone, in which case they are
 * declared dead after {@code peer_expiry_ms} and purged after {@code rereplication_grace_ms},
 * exactly as a silent peer is in single-process mode.
 */
public final class ClusterBridge extends AbstractBehavior<ClusterBridge.Command> {

  /** Everything on the topic. */
  public sealed interface Event extends ClusterSerializable permits PeerUpdate, TaskReport, ShardStarted, Deliver,
      PeerDigest {}

  public enum Kind { LIVE, DEAD, UNREGISTERED }

  public record PeerUpdate(Kind kind, PeerInfo peer) implements Event {}

  public record TaskReport(String origin, String peerId, String taskId, String fileName, String status,
      String error) implements Event {}

  public record ShardStarted(String origin, int shard) implements Event {}

  public record Deliver(String peerId, List<ReplicationTask> tasks) implements Event {}

  /** Part of {@code origin}'s live sessions, each as last announced (at most {@link #DIGEST_CHUNK}). */
  public record PeerDigest(String origin, List<PeerInfo> live) implements Event {}

  public sealed interface Command permits Local, Remote, MemberGone, OrphansDead, OrphansPurge,
      SyncTick {}

  private record Local(IndexEvents.Event event) implements Command {}

  private record Remote(Event event) implements Command {}

  private record MemberGone(Address address) implements Command {}

  private record OrphansDead(String origin) implements Command {}

  private record OrphansPurge(String origin) implements Command {}

  private enum SyncTick implements Command { INSTANCE }

  public static final String TOPIC = "p2pshare-index-events";
  /** Keeps a digest message far below Akka remoting's frame size even for thousands of peers. */
  static final int DIGEST_CHUNK = 256;

  private final PeerDirectory directory;
  private final ActorRef<Topic.Command<Event>> topic;
  private final ActorRef<PeerRegistry.Command> registry;
  private final List<ActorRef<FileIndexShard.Command>> shards;
  private final TimerScheduler<Command> timers;
  private final Duration expiry;
  private final Duration grace;
  /** Events this bridge put on the local stream itself: not sent out again. */
  private final Set<IndexEvents.Event> republished = Collections.newSetFromMap(new IdentityHashMap<>());

  public static Behavior<Command> create(PeerDirectory directory, ActorRef<Topic.Command<Event>> topic,
      ActorRef<PeerRegistry.Command> registry, List<ActorRef<FileIndexShard.Command>> shards,
      Duration expiry, Duration grace, Duration sync) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay("sync", SyncTick.INSTANCE, sync);
      return new ClusterBridge(ctx, timers, directory, topic, registry, shards, expiry, grace);
    }));
  }

  private ClusterBridge(ActorContext<Command> context, TimerScheduler<Command> timers, PeerDirectory directory,
      ActorRef<Topic.Command<Event>> topic, ActorRef<PeerRegistry.Command> registry,
      List<ActorRef<FileIndexShard.Command>> shards, Duration expiry, Duration grace) {
    super(context);
    this.timers = timers;
    this.directory = directory;
    this.topic = topic;
    this.registry = registry;
    this.shards = List.copyOf(shards);
    this.expiry = expiry;
    this.grace = grace;
    context.getSystem().eventStream().tell(new EventStream.Subscribe<>(IndexEvents.Event.class,
        context.messageAdapter(IndexEvents.Event.class, Local::new)));
    topic.tell(Topic.subscribe(context.messageAdapter(Event.class, Remote::new)));
    Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(
        context.messageAdapter(ClusterEvent.MemberRemoved.class, m -> new MemberGone(m.member().address())),
        ClusterEvent.MemberRemoved.class));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Local.class, this::onLocal)
        .onMessage(Remote.class, this::onRemote)
        .onMessage(MemberGone.class, this::onMemberGone)
        .onMessage(OrphansDead.class, this::onOrphansDead)
        .onMessage(OrphansPurge.class, this::onOrphansPurge)
        .onMessage(SyncTick.class, t -> onSync())
        .build();
  }

  private Behavior<Command> onLocal(Local l) {
    IndexEvents.Event ev = l.event();
    if (republished.remove(ev)) {
      return this;
    }
    if (ev instanceof IndexEvents.PeerLive e) {
      publish(new PeerUpdate(Kind.LIVE, directory.snapshot(e.peer(), null)));
    } else if (ev instanceof IndexEvents.PeerDead e) {
      publish(new PeerUpdate(Kind.DEAD, directory.snapshot(e.peer(), null)));
    } else if (ev instanceof IndexEvents.PeerUnregistered e) {
      publish(new PeerUpdate(Kind.UNREGISTERED, directory.snapshot(e.peer(), null)));
    } else if (ev instanceof IndexEvents.TaskReported r) {
      publish(new TaskReport(directory.self(), r.peerId(), r.taskId(), r.fileName(), r.status(), r.error()));
    } // HoldersChanged stays local: the coordinator learns holders from the shards themselves
    return this;
  }

  private Behavior<Command> onRemote(Remote r) {
    Event ev = r.event();
    if (ev instanceof PeerUpdate u) {
      applyUpdate(u);
    } else if (ev instanceof PeerDigest d) {
      onDigest(d);
    } else if (ev instanceof TaskReport t) {
      if (!directory.self().equals(t.origin())) {
        republish(new IndexEvents.TaskReported(t.peerId(), t.taskId(), t.fileName(), t.status(), t.error()));
      }
    } else if (ev instanceof ShardStarted s) {
      registry.tell(new PeerRegistry.ShardLost(s.shard()));
    } else if (ev instanceof Deliver d) {
      registry.tell(new PeerRegistry.DeliverTasks(d.peerId(), d.tasks()));
    }
    return this;
  }

  private void applyUpdate(PeerUpdate u) {
    if (directory.self().equals(u.peer().origin())) {
      return;
    }
    PeerRecord rec = directory.apply(u.peer());
    if (rec == null) {
      return; // older than what this node knows
    }
    if (u.kind() == Kind.LIVE) {
      registry.tell(new PeerRegistry.Release(rec.peerId()));
    }
    republish(switch (u.kind()) {
      case LIVE -> new IndexEvents.PeerLive(rec);
      case DEAD -> new IndexEvents.PeerDead(rec);
      case UNREGISTERED -> new IndexEvents.PeerUnregistered(rec);
    });
  }

  /** Applies only what this node missed: whatever it has seen at that version or later wins. */
  private void onDigest(PeerDigest d) {
    if (directory.self().equals(d.origin())) {
      return;
    }
    int news = 0;
    for (PeerInfo p : d.live()) {
      if (directory.isNews(p)) {
        applyUpdate(new PeerUpdate(Kind.LIVE, p));
        news++;
      }
    }
    if (news > 0) {
      getContext().getLog().info("digest from index node {}: {} live peer(s) this node had missed", d.origin(),
          news);
    }
  }

  private Behavior<Command> onSync() {
    List<PeerInfo> live = directory.ownLive();
    for (int from = 0; from < live.size(); from += DIGEST_CHUNK) {
      publish(new PeerDigest(directory.self(),
          List.copyOf(live.subList(from, Math.min(live.size(), from + DIGEST_CHUNK)))));
    }
    return this;
  }

  private Behavior<Command> onMemberGone(MemberGone m) {
    String origin = m.address().toString();
    getContext().getLog().info("index node {} left the cluster: its peers have {} ms to fail over", origin,
        expiry.toMillis());
    timers.startSingleTimer("dead:" + origin, new OrphansDead(origin), expiry);
    return this;
  }

  /** Peers still attributed to the gone node did not fail over: dead, as a silent peer would be. */
  private Behavior<Command> onOrphansDead(OrphansDead o) {
    List<PeerRecord> orphans = directory.liveFrom(o.origin());
    for (PeerRecord p : orphans) {
      PeerRecord.Address a = p.address();
      PeerRecord rec = directory.apply(new PeerInfo(p.peerId(), a.host(), a.port(), false, p.takesTasks(),
          directory.nextVersion(), o.origin()));
      if (rec != null) {
        republish(new IndexEvents.PeerDead(rec));
      }
    }
    if (!orphans.isEmpty()) {
      getContext().getLog().info("{} peer(s) of gone node {} did not fail over: dead", orphans.size(), o.origin());
      timers.startSingleTimer("purge:" + o.origin(), new OrphansPurge(o.origin()), grace);
    }
    return this;
  }

  private Behavior<Command> onOrphansPurge(OrphansPurge o) {
    for (PeerRecord p : directory.all()) {
      if (o.origin().equals(directory.origin(p.peerId())) && !p.isLive()) {
        for (ActorRef<FileIndexShard.Command> shard : shards) {
          shard.tell(new FileIndexShard.RemovePeer(0, p, null));
        }
        getContext().getLog().info("peer {} (of gone node {}) forgotten after grace period", p.peerId(), o.origin());
      }
    }
    return this;
  }

  private void publish(Event e) {
    topic.tell(Topic.publish(e));
  }

  private void republish(IndexEvents.Event e) {
    republished.add(e);
    getContext().getSystem().eventStream().tell(new EventStream.Publish<>(e));
  }
}
