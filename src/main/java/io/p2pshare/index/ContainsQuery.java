package io.p2pshare.index;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchResponse;
import io.p2pshare.protocol.SearchResult;
import io.p2pshare.protocol.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One {@code contains} search: asks every shard for its first {@code limit + 1} matches, merges
 * them in (name, peer id) order, cuts at the limit and sets {@code truncated}; replies once and
 * stops. A shard that does not answer in time makes the answer partial (truncated).
 */
public final class ContainsQuery extends AbstractBehavior<ContainsQuery.Command> {

  public sealed interface Command permits Partial, Timeout {}

  private record Partial(FileIndexShard.ScanResult result) implements Command {}

  private enum Timeout implements Command { INSTANCE }

  private static final Comparator<SearchResult> ORDER =
      Comparator.comparing(SearchResult::fileName).thenComparing(SearchResult::peerId);

  private final SearchQuery query;
  private final ActorRef<SearchResponse> replyTo;
  private final int limit;
  private int waiting;
  private final List<SearchResult> gathered = new ArrayList<>();

  public static Behavior<Command> create(SearchQuery query, List<ActorRef<FileIndexShard.Command>> shards,
      ActorRef<SearchResponse> replyTo, Duration timeout) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startSingleTimer(Timeout.INSTANCE, timeout);
      return new ContainsQuery(ctx, query, shards, replyTo);
    }));
  }

  private ContainsQuery(ActorContext<Command> context, SearchQuery query,
      List<ActorRef<FileIndexShard.Command>> shards, ActorRef<SearchResponse> replyTo) {
    super(context);
    this.query = query;
    this.replyTo = replyTo;
    this.limit = query.effectiveLimit();
    this.waiting = shards.size();
    ActorRef<FileIndexShard.ScanResult> adapter =
        context.messageAdapter(FileIndexShard.ScanResult.class, Partial::new);
    for (ActorRef<FileIndexShard.Command> shard : shards) {
      shard.tell(new FileIndexShard.Scan(query.contains(), query.minSize(), query.maxSize(), limit, adapter));
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Partial.class, this::onPartial)
        .onMessageEquals(Timeout.INSTANCE, this::onTimeout)
        .build();
  }

  private Behavior<Command> onPartial(Partial p) {
    gathered.addAll(p.result().results());
    return --waiting == 0 ? reply(false) : this;
  }

  private Behavior<Command> onTimeout() {
    getContext().getLog().warn("contains '{}': {} shard(s) did not answer in time", query.contains(), waiting);
    return reply(true);
  }

  private Behavior<Command> reply(boolean partial) {
    gathered.sort(ORDER);
    boolean truncated = partial || gathered.size() > limit;
    List<SearchResult> results = gathered.size() > limit ? gathered.subList(0, limit) : gathered;
    replyTo.tell(new SearchResponse(Status.OK, null, List.copyOf(results), truncated));
    return Behaviors.stopped();
  }
}
