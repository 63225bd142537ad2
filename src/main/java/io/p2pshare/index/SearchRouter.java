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
import java.util.List;

/**
 * Routes searches: an exact name is answered from its one shard's published view (no message to
 * the shard); a {@code contains} query is scattered to every shard and gathered by a
 * per-request {@link ContainsQuery} child. Connection streams answer exact searches with
 * {@link #exact} directly (the hot path) and send only {@code contains} queries here.
 */
public final class SearchRouter extends AbstractBehavior<SearchRouter.Command> {

  public sealed interface Command permits Search {}

  public record Search(SearchQuery query, ActorRef<SearchResponse> replyTo) implements Command {}

  private final IndexView view;
  private final List<ActorRef<FileIndexShard.Command>> shards;
  private final Duration gatherTimeout;
  private long nextQuery = 1;

  public static Behavior<Command> create(IndexView view, List<ActorRef<FileIndexShard.Command>> shards,
      Duration gatherTimeout) {
    return Behaviors.setup(ctx -> new SearchRouter(ctx, view, shards, gatherTimeout));
  }

  private SearchRouter(ActorContext<Command> context, IndexView view,
      List<ActorRef<FileIndexShard.Command>> shards, Duration gatherTimeout) {
    super(context);
    this.view = view;
    this.shards = List.copyOf(shards);
    this.gatherTimeout = gatherTimeout;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder().onMessage(Search.class, this::onSearch).build();
  }

  private Behavior<Command> onSearch(Search s) {
    if (s.query().isExact()) {
      s.replyTo().tell(exact(view, s.query()));
    } else {
      getContext().spawn(ContainsQuery.create(s.query(), shards, s.replyTo(), gatherTimeout),
          "contains-" + nextQuery++);
    }
    return this;
  }

  /** The exact-name answer, read from the shard's view on the caller's thread. */
  public static SearchResponse exact(IndexView view, SearchQuery query) {
    List<Holder> holders = view.exact(query.fileName(), query);
    List<SearchResult> results = new ArrayList<>(holders.size());
    for (Holder h : holders) {
      SearchResult r = FileIndexShard.result(query.fileName(), h);
      results.add(new SearchResult(r.peerId(), r.peer(), r.meta(), null));
    }
    return new SearchResponse(Status.OK, query.fileName(), results, null);
  }
}
