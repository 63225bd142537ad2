package io.p2pshare.index;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Scheduler;
import akka.actor.typed.javadsl.AskPattern;
import akka.util.ByteString;
import io.p2pshare.metrics.Metrics;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.ErrorCode;
import io.p2pshare.protocol.ErrorReply;
import io.p2pshare.protocol.Frames;
import io.p2pshare.protocol.HeartbeatRequest;
import io.p2pshare.protocol.LineDecoder;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.ProtocolException;
import io.p2pshare.protocol.RegistryRequest;
import io.p2pshare.protocol.ReplicationReport;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchRequest;
import io.p2pshare.protocol.StatsResponse;
import io.p2pshare.protocol.Status;
import io.p2pshare.protocol.UnregisterRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the frames of one control connection, in order (the stream calls {@link #handle} with
 * {@code mapAsync(1)}). Exact searches are answered synchronously from the {@link IndexView}: a
 * completed future, no thread hop. Requests that change state ask the actor that owns it.
 */
final class ConnectionHandler {
  private static final Logger log = LoggerFactory.getLogger(ConnectionHandler.class);
  static final String INDEX_ID = "index";

  /** One reply frame; {@code close} ends the connection after it is written. */
  record Out(ByteString bytes, boolean close) {}

  /** What every connection shares. */
  record Services(IndexView view, ActorRef<PeerRegistry.Command> registry,
      ActorRef<SearchRouter.Command> router, ReplicationLedger ledger, Scheduler scheduler,
      Duration askTimeout, int replicationFactor, long startedAtMs, Metrics metrics) {}

  private final Services services;
  private final String remoteHost;
  private final String connId;
  private final PushChannel push;

  ConnectionHandler(Services services, String remoteHost, String connId, PushChannel push) {
    this.services = services;
    this.remoteHost = remoteHost;
    this.connId = connId;
    this.push = push;
  }

  CompletionStage<Out> handle(LineDecoder.Frame frame) {
    if (frame instanceof LineDecoder.TooLarge) {
      log.info("conn {} from {}: frame too large, closing", connId, remoteHost);
      services.metrics().refusal(Metrics.Refusal.FRAME_TOO_LARGE);
      return done(error(MessageType.ERROR, null, ErrorCode.FRAME_TOO_LARGE,
          "frame exceeds the limit; closing the connection"), true);
    }
    if (frame instanceof LineDecoder.Stalled) {
      log.info("conn {} from {}: request line not finished within the header deadline, closing",
          connId, remoteHost);
      services.metrics().refusal(Metrics.Refusal.HEADER_DEADLINE);
      return done(error(MessageType.ERROR, null, ErrorCode.BAD_REQUEST,
          "request line not finished within the header deadline; closing the connection"), true);
    }
    ByteString line = ((LineDecoder.Line) frame).bytes();
    Envelope req;
    try {
      req = Frames.decode(line.toArray());
    } catch (ProtocolException e) {
      log.debug("conn {}: bad frame: {}", connId, e.getMessage());
      refused(e.code());
      return done(error(MessageType.ERROR, null, e.code(), e.getMessage()), false);
    }
    String replyType = MessageType.responseFor(req.type());
    long t0 = System.nanoTime();
    try {
      return timed(req, t0, dispatch(req).exceptionally(err -> {
        Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
            ? err.getCause() : err;
        log.warn("conn {} peer {} req {}: {} failed: {}", connId, req.peerId(), req.requestId(),
            req.type(), cause.toString());
        ErrorCode code = cause instanceof java.util.concurrent.TimeoutException ? ErrorCode.BUSY : ErrorCode.INTERNAL;
        countSearchError(req);
        return new Out(error(replyType, req.requestId(), code, "index could not answer in time"), false);
      }));
    } catch (ProtocolException e) {
      countSearchError(req);
      refused(e.code());
      log.debug("conn {} peer {} req {}: {} refused: {}", connId, req.peerId(), req.requestId(),
          req.type(), e.getMessage());
      return done(error(replyType, req.requestId(), e.code(), e.getMessage()), false);
    } catch (RuntimeException e) {
      countSearchError(req);
      log.error("conn {} peer {} req {}: {} crashed", connId, req.peerId(), req.requestId(), req.type(), e);
      return done(error(replyType, req.requestId(), ErrorCode.INTERNAL, "internal error"), false);
    }
  }

  /** Latency of an answered request, by its (known: dispatch refused the rest) type. */
  private CompletionStage<Out> timed(Envelope req, long t0, CompletionStage<Out> answer) {
    return answer.whenComplete((out, err) ->
        services.metrics().requestLatency(req.type(), System.nanoTime() - t0));
  }

  /** Counts a refused request by its error code (BUSY from a slow actor is not a refusal). */
  private void refused(ErrorCode code) {
    switch (code) {
      case BAD_REQUEST, UNKNOWN_TYPE -> services.metrics().refusal(Metrics.Refusal.BAD_REQUEST);
      case UNAUTHORIZED -> services.metrics().refusal(Metrics.Refusal.UNAUTHORIZED);
      case FRAME_TOO_LARGE -> services.metrics().refusal(Metrics.Refusal.FRAME_TOO_LARGE);
      default -> { }
    }
  }

  private void countSearchError(Envelope req) {
    if (MessageType.SEARCH_REQUEST.equals(req.type())) {
      services.metrics().search(Metrics.SearchResult.ERROR);
    }
  }

  private CompletionStage<Out> dispatch(Envelope req) {
    switch (req.type()) {
      case MessageType.SEARCH_REQUEST: {
        SearchQuery q = req.payloadAs(SearchRequest.class).query();
        if (q.isExact()) {
          log.debug("peer {} req {}: search '{}'", req.peerId(), req.requestId(), q.fileName());
          IndexView.RemoteLookup remote = services.view().remoteFor(q.fileName());
          if (remote != null) { // cluster mode, shard hosted by another index node: ask it
            return remote.lookup(q).thenApply(results -> {
              services.metrics().search(results.isEmpty() ? Metrics.SearchResult.MISS : Metrics.SearchResult.HIT);
              return new Out(reply(req, new io.p2pshare.protocol.SearchResponse(Status.OK, q.fileName(),
                  results, null)), false);
            });
          }
          java.util.List<Holder> holders = services.view().exact(q.fileName(), q);
          services.metrics().search(holders.isEmpty() ? Metrics.SearchResult.MISS : Metrics.SearchResult.HIT);
          return done(ByteString.fromArrayUnsafe(SearchEncoder.exactResponse(
              INDEX_ID, req.requestId(), q.fileName(), holders)), false);
        }
        return ask(services.router(), (ActorRef<io.p2pshare.protocol.SearchResponse> r) ->
            new SearchRouter.Search(q, r), resp -> {
              services.metrics().search(resp.results() == null || resp.results().isEmpty()
                  ? Metrics.SearchResult.MISS : Metrics.SearchResult.HIT);
              return reply(req, resp);
            });
      }
      case MessageType.REGISTRY_REQUEST: {
        RegistryRequest r = req.payloadAs(RegistryRequest.class);
        return askRegistry(req, replyTo ->
            new PeerRegistry.Register(r, req.peerId(), remoteHost, req.requestId(), push, replyTo));
      }
      case MessageType.HEARTBEAT: {
        HeartbeatRequest h = req.payloadAs(HeartbeatRequest.class);
        return askRegistry(req, replyTo -> new PeerRegistry.Heartbeat(req.peerId(), h.token(), push, replyTo));
      }
      case MessageType.UNREGISTER: {
        UnregisterRequest u = req.payloadAs(UnregisterRequest.class);
        return askRegistry(req, replyTo -> new PeerRegistry.Unregister(req.peerId(), u.token(), replyTo));
      }
      case MessageType.REPLICATION_REPORT: {
        ReplicationReport rep = req.payloadAs(ReplicationReport.class);
        return askRegistry(req, replyTo -> new PeerRegistry.Report(req.peerId(), rep, replyTo));
      }
      case MessageType.STATS_REQUEST: {
        IndexView.ClusterCounts cluster = services.view().clusterCounts();
        if (cluster != null) { // cluster mode: every node's shards, every node's peers
          return cluster.counts(services.replicationFactor()).thenApply(t -> new Out(reply(req,
              new StatsResponse(Status.OK, t.peersLive(), t.peersDead(), t.counts().files(),
                  t.counts().entries(), t.counts().underReplicated(), services.ledger().counts(),
                  System.currentTimeMillis() - services.startedAtMs())), false));
        }
        // Index first, peers second: files a snapshot shows were registered by peers it counts.
        // Counting walks every name (tens of ms at a million): off the connection's thread, which
        // on the plain port is the event loop every other connection's searches wait for.
        return CompletableFuture.supplyAsync(() -> services.view().counts(services.replicationFactor()))
            .thenCompose(c -> ask(services.registry(), PeerRegistry.GetCounts::new, counts ->
                reply(req, new StatsResponse(Status.OK, counts.live(), counts.dead(), c.files(),
                    c.entries(), c.underReplicated(), services.ledger().counts(),
                    System.currentTimeMillis() - services.startedAtMs()))));
      }
      default:
        throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown message type '" + req.type() + "'");
    }
  }

  private CompletionStage<Out> askRegistry(Envelope req,
      akka.japi.function.Function<ActorRef<PeerRegistry.Reply>, PeerRegistry.Command> msg) {
    return ask(services.registry(), msg, r -> {
      if (r.payload() instanceof ErrorReply e) {
        if (e.error() != null && e.error().startsWith(PeerRegistry.TOO_MANY_FILES)) {
          services.metrics().refusal(Metrics.Refusal.TOO_MANY_FILES);
        } else {
          try {
            refused(ErrorCode.valueOf(e.code()));
          } catch (IllegalArgumentException unknown) {
            // not one of ours: nothing to count
          }
        }
      }
      return reply(req, r.payload());
    });
  }

  private <M, R> CompletionStage<Out> ask(ActorRef<M> target,
      akka.japi.function.Function<ActorRef<R>, M> msg, Function<R, ByteString> toBytes) {
    return AskPattern.ask(target, msg, services.askTimeout(), services.scheduler())
        .thenApply(r -> new Out(toBytes.apply(r), false));
  }

  private static ByteString reply(Envelope req, Object payload) {
    return ByteString.fromArrayUnsafe(Frames.encode(req.reply(INDEX_ID, payload)));
  }

  static ByteString error(String type, String requestId, ErrorCode code, String message) {
    return ByteString.fromArrayUnsafe(Frames.encode(
        Envelope.of(type, INDEX_ID, requestId, ErrorReply.of(code, message))));
  }

  private static CompletionStage<Out> done(ByteString bytes, boolean close) {
    return CompletableFuture.completedFuture(new Out(bytes, close));
  }
}
