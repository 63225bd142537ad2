package io.p2pshare.index;

import akka.Done;
import akka.NotUsed;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.japi.Pair;
import akka.stream.BoundedSourceQueue;
import akka.stream.Materializer;
import akka.stream.QueueOfferResult;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.Tcp;
import akka.util.ByteString;
import io.p2pshare.metrics.Metrics;
import io.p2pshare.protocol.ErrorCode;
import io.p2pshare.protocol.Frames;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.transport.ConnectionLimits;
import io.p2pshare.transport.RequestLines;
import io.p2pshare.transport.TlsSettings;
import io.p2pshare.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The index's TCP port: one stream per connection, newline-framed JSON with a hard frame limit
 * ({@link LineDecoder}: an oversized frame gets FRAME_TOO_LARGE and a clean close), requests
 * answered strictly in order (pipelining works), persistent or one request per connection.
 */
public final class ControlServer extends AbstractBehavior<ControlServer.Command> {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ControlServer.class);

  public sealed interface Command permits GetBinding, BindResult {}

  /** Replies with the bound address once known (or the bind failure). */
  public record GetBinding(ActorRef<Binding> replyTo) implements Command {}

  private record BindResult(Tcp.ServerBinding binding, Throwable failure) implements Command {}

  public sealed interface Binding permits Bound, BindFailed {}

  public record Bound(InetSocketAddress address) implements Binding {}

  public record BindFailed(String reason) implements Binding {}

  /**
   * {@code maxConnectionsPerAddress}: the share of {@code maxConnections} one remote IP may hold;
   * {@code headerDeadline}: how long a started request line may take (slow-loris); {@code tls}:
   * certificate and key to serve TLS with, empty = plain TCP.
   */
  public record Settings(String host, int port, int maxFrameBytes, int maxConnections, Duration idleTimeout,
      int maxConnectionsPerAddress, Duration headerDeadline, Optional<TlsSettings> tls, int controlLoops) {
    public Settings(String host, int port, int maxFrameBytes, int maxConnections, Duration idleTimeout) {
      this(host, port, maxFrameBytes, maxConnections, idleTimeout, maxConnections, Duration.ZERO, Optional.empty());
    }

    public Settings(String host, int port, int maxFrameBytes, int maxConnections, Duration idleTimeout,
        int maxConnectionsPerAddress, Duration headerDeadline, Optional<TlsSettings> tls) {
      this(host, port, maxFrameBytes, maxConnections, idleTimeout, maxConnectionsPerAddress, headerDeadline, tls,
          1);
    }

    /** Plain TCP served by {@link ControlReactor}'s loops; TLS (or {@code control_loops} 0) by Streams TCP. */
    boolean eventLoops() {
      return tls.isEmpty() && controlLoops > 0;
    }
  }

  private static final int PUSH_QUEUE = 64;

  private final Settings settings;
  private final ConnectionHandler.Services services;
  /** For {@link #accept}, which runs on the bind stream: it must not touch the ActorContext. */
  private final akka.actor.typed.ActorSystem<Void> system;
  private final Materializer materializer;
  private final ConnectionLimits limits;
  private final AtomicLong connIds = new AtomicLong();
  private final List<ActorRef<Binding>> waiting = new ArrayList<>();
  private Binding result;
  private Tcp.ServerBinding binding;
  private ControlReactor reactor;

  static Behavior<Command> create(Settings settings, ConnectionHandler.Services services) {
    return Behaviors.setup(ctx -> new ControlServer(ctx, settings, services));
  }

  private ControlServer(ActorContext<Command> context, Settings settings, ConnectionHandler.Services services) {
    super(context);
    this.settings = settings;
    this.services = services;
    this.system = context.getSystem();
    this.materializer = Materializer.matFromSystem(context.getSystem());
    this.limits = new ConnectionLimits(settings.maxConnections(), settings.maxConnectionsPerAddress());
    // The bind source is system-wide (connections must outlive nothing but the server itself);
    // unbinding in PostStop and CoordinatedShutdown ends it.
    Metrics metrics = services.metrics();
    if (settings.eventLoops()) {
      startLoops(context);
      return;
    }
    var bound = Transport.bind(context.getSystem(), settings.host(), settings.port(), settings.tls(),
            Optional.of(settings.idleTimeout()), settings.headerDeadline(), (remote, err) -> {
              metrics.refusal(Metrics.Refusal.TLS_HANDSHAKE);
              log.debug("TLS with {} failed: {}", remote, err.toString());
            })
        .to(Sink.foreach(this::accept))
        .run(materializer);
    context.pipeToSelf(bound, BindResult::new);
  }

  private void startLoops(ActorContext<Command> context) {
    try {
      reactor = ControlReactor.start(new ControlReactor.Settings(settings.host(), settings.port(),
              settings.maxFrameBytes(), settings.idleTimeout(), settings.headerDeadline(), settings.controlLoops(),
              context.getSystem().executionContext()),
          (remoteHost, connId, push) -> new ConnectionHandler(services, remoteHost, connId, push)::handle,
          limits, services.metrics());
    } catch (java.io.IOException | RuntimeException e) {
      bindFailed(e);
      return;
    }
    ControlReactor r = reactor;
    bound(r.localAddress(), () -> {
      r.unbind();
      return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
    });
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(GetBinding.class, this::onGetBinding)
        .onMessage(BindResult.class, this::onBindResult)
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  private Behavior<Command> onGetBinding(GetBinding g) {
    if (result == null) {
      waiting.add(g.replyTo());
    } else {
      g.replyTo().tell(result);
    }
    return this;
  }

  private Behavior<Command> onBindResult(BindResult r) {
    if (r.failure() != null) {
      bindFailed(r.failure());
    } else {
      binding = r.binding();
      Tcp.ServerBinding b = binding;
      bound(b.localAddress(), () -> b.unbind().thenApply(x -> Done.getInstance()));
    }
    waiting.forEach(w -> w.tell(result));
    waiting.clear();
    return this;
  }

  /** Either transport: the port is open; {@code unbind} runs in CoordinatedShutdown's unbind phase. */
  private void bound(InetSocketAddress at, java.util.function.Supplier<java.util.concurrent.CompletionStage<Done>> unbind) {
    result = new Bound(at);
    getContext().getLog().info("index listening on {}:{}{}", at.getHostString(), at.getPort(),
        settings.tls().isPresent() ? " (TLS)" : "");
    CoordinatedShutdown.get(getContext().getSystem()).addTask(
        CoordinatedShutdown.PhaseServiceUnbind(), "unbind-index-port", unbind::get);
  }

  /** Either transport: the port could not be opened; the reason names the innermost cause. */
  private void bindFailed(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String reason = "cannot listen on " + settings.host() + ":" + settings.port() + ": "
        + (root.getMessage() == null ? root.toString() : root.getMessage());
    getContext().getLog().error(reason);
    result = new BindFailed(reason);
  }

  private Behavior<Command> onPostStop() {
    if (binding != null) {
      binding.unbind();
    }
    if (reactor != null) {
      reactor.close();
    }
    return this;
  }

  /** Runs on the bind stream for each accepted connection; touches no actor state. */
  private void accept(Tcp.IncomingConnection conn) {
    String connId = Long.toString(connIds.incrementAndGet());
    java.net.InetAddress from = conn.remoteAddress().getAddress();
    ConnectionLimits.Outcome slot = limits.tryAcquire(from);
    if (slot != ConnectionLimits.Outcome.ACCEPTED) {
      boolean total = slot == ConnectionLimits.Outcome.TOTAL;
      services.metrics().refusal(total ? Metrics.Refusal.CONNECTIONS_TOTAL : Metrics.Refusal.CONNECTIONS_PER_ADDRESS);
      log.debug("conn {} from {} refused: {}", connId, from.getHostAddress(), total
          ? "too many connections" : "too many connections from this address");
      conn.handleWith(Flow.fromSinkAndSourceCoupled(Sink.ignore(), Source.single(
          ConnectionHandler.error(MessageType.ERROR, null, ErrorCode.BUSY, total
              ? "too many connections" : "too many connections from your address"))),
          system);
      return;
    }
    // Server push (REPLICATION_TASKS): a bounded queue merged into the replies (STYLE §5.7).
    Pair<BoundedSourceQueue<ByteString>, Source<ByteString, NotUsed>> push =
        Source.<ByteString>queue(PUSH_QUEUE).preMaterialize(materializer);
    BoundedSourceQueue<ByteString> pushQueue = push.first();
    PushChannel channel = frame ->
        pushQueue.offer(ByteString.fromArrayUnsafe(Frames.encode(frame))) == QueueOfferResult.enqueued();
    ConnectionHandler handler = new ConnectionHandler(services,
        conn.remoteAddress().getAddress().getHostAddress(), connId, channel);
    Flow<ByteString, ByteString, NotUsed> flow = Flow.of(ByteString.class)
        .via(RequestLines.flow(settings.maxFrameBytes(), settings.headerDeadline()))
        .mapAsync(1, handler::handle)
        .takeWhile(out -> !out.close(), true)
        .map(ConnectionHandler.Out::bytes)
        .merge(push.second(), true) // replies ending (client gone, frame too large) ends the output
        .watchTermination((nu, done) -> {
          done.whenComplete((d, e) -> {
            limits.release(from);
            pushQueue.complete();
          });
          return NotUsed.getInstance();
        });
    conn.handleWith(flow, system);
  }
}
