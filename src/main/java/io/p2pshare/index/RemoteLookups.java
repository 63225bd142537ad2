package io.p2pshare.index;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Cluster mode: exact searches for shards hosted on other nodes, batched. Connection streams
 * enqueue (no message per search); per shard, at most one batch is in flight: the first search
 * goes out at once, the ones that arrive meanwhile leave together when its answer is back. Under
 * load a remote round trip then carries tens of searches instead of one (measured in
 * bench/README.md, "Index cluster"); when idle it costs one round trip, as a plain ask would.
 */
public final class RemoteLookups extends AbstractBehavior<RemoteLookups.Command> {

  public sealed interface Command permits Flush, Answered, Expired {}

  private record Flush(int shard) implements Command {}

  private record Answered(ClusterShard.LookupBatchResult result) implements Command {}

  private record Expired(long batchId) implements Command {}

  private record Pending(SearchQuery query, CompletableFuture<List<SearchResult>> answer) {}

  private record Batch(int shard, List<Pending> items) {}

  /** Searches waiting for their shard's next batch; and whether one is in flight or requested. */
  private static final class Lane {
    final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    final AtomicBoolean busy = new AtomicBoolean();
  }

  static final int MAX_BATCH = 256;

  /** The connection-side entry point, shared by every connection of this node. */
  public static final class Client implements IndexView.RemoteLookup {
    private final ShardRouting routing;
    private final Lane[] lanes;
    private volatile ActorRef<Command> actor;

    Client(ShardRouting routing) {
      this.routing = routing;
      this.lanes = new Lane[routing.shards()];
      for (int k = 0; k < lanes.length; k++) {
        lanes[k] = new Lane();
      }
    }

    @Override
    public CompletionStage<List<SearchResult>> lookup(SearchQuery query) {
      int k = routing.shardOf(query.fileName());
      CompletableFuture<List<SearchResult>> answer = new CompletableFuture<>();
      Lane lane = lanes[k];
      lane.queue.add(new Pending(query, answer));
      if (lane.busy.compareAndSet(false, true)) {
        actor.tell(new Flush(k)); // otherwise the batch in flight flushes this lane when it returns
      }
      return answer;
    }
  }

  private final Client client;
  private final ClusterSharding sharding;
  private final TimerScheduler<Command> timers;
  private final Duration timeout;
  private final ActorRef<ClusterShard.LookupBatchResult> adapter;
  private final Map<Long, Batch> inFlight = new HashMap<>();
  private long nextBatch = 1;

  public static Client client(ShardRouting routing) {
    return new Client(routing);
  }

  public static Behavior<Command> create(Client client, Duration timeout) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new RemoteLookups(ctx, timers, client, timeout)));
  }

  private RemoteLookups(ActorContext<Command> context, TimerScheduler<Command> timers, Client client,
      Duration timeout) {
    super(context);
    this.client = client;
    this.timers = timers;
    this.timeout = timeout;
    this.sharding = ClusterSharding.get(context.getSystem());
    this.adapter = context.messageAdapter(ClusterShard.LookupBatchResult.class, Answered::new);
    client.actor = context.getSelf();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Flush.class, f -> {
          flush(f.shard());
          return this;
        })
        .onMessage(Answered.class, this::onAnswered)
        .onMessage(Expired.class, this::onExpired)
        .build();
  }

  /** Sends what waits for shard k as one batch, or marks the lane idle when nothing does. */
  private void flush(int k) {
    Lane lane = client.lanes[k];
    List<Pending> items = new ArrayList<>();
    Pending p;
    while (items.size() < MAX_BATCH && (p = lane.queue.poll()) != null) {
      items.add(p);
    }
    if (items.isEmpty()) {
      lane.busy.set(false);
      if (!lane.queue.isEmpty() && lane.busy.compareAndSet(false, true)) {
        flush(k); // a search slipped in between the poll and the reset
      }
      return;
    }
    long id = nextBatch++;
    inFlight.put(id, new Batch(k, items));
    List<SearchQuery> queries = new ArrayList<>(items.size());
    for (Pending i : items) {
      queries.add(i.query());
    }
    sharding.entityRefFor(ClusterShard.TYPE_KEY, ShardRouting.entityId(k))
        .tell(new ClusterShard.LookupBatch(id, queries, adapter));
    timers.startSingleTimer(id, new Expired(id), timeout);
  }

  private Behavior<Command> onAnswered(Answered a) {
    Batch b = inFlight.remove(a.result().batchId());
    if (b == null) {
      return this; // expired meanwhile
    }
    timers.cancel(a.result().batchId());
    List<List<SearchResult>> results = a.result().results();
    for (int i = 0; i < b.items().size(); i++) {
      b.items().get(i).answer().complete(i < results.size() ? results.get(i) : List.of());
    }
    flush(b.shard());
    return this;
  }

  private Behavior<Command> onExpired(Expired e) {
    Batch b = inFlight.remove(e.batchId());
    if (b != null) {
      getContext().getLog().info("shard-{}: {} remote searches unanswered after {} ms", b.shard(),
          b.items().size(), timeout.toMillis());
      for (Pending p : b.items()) {
        p.answer().completeExceptionally(new TimeoutException("shard-" + b.shard() + " did not answer"));
      }
      flush(b.shard());
    }
    return this;
  }
}
