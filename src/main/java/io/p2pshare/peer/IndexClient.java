package io.p2pshare.peer;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.japi.Pair;
import akka.stream.BoundedSourceQueue;
import akka.stream.Materializer;
import akka.stream.QueueOfferResult;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.Tcp;
import akka.util.ByteString;
import io.p2pshare.config.Endpoint;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.Frames;
import io.p2pshare.protocol.HeartbeatRequest;
import io.p2pshare.protocol.LineDecoder;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.protocol.ProtocolException;
import io.p2pshare.protocol.RegistryRequest;
import io.p2pshare.protocol.RegistryResponse;
import io.p2pshare.protocol.ReplicationReport;
import io.p2pshare.protocol.ReplicationTask;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchRequest;
import io.p2pshare.protocol.SearchResponse;
import io.p2pshare.protocol.Status;
import io.p2pshare.protocol.TasksResponse;
import io.p2pshare.protocol.UnregisterRequest;
import io.p2pshare.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The persistent control connection to the index. A peer registers its files (with SHA-256),
 * keeps its session alive with heartbeats, sends add/remove updates from the catalog, receives
 * replication tasks, and comes back by itself (reconnect with backoff, re-register with the full
 * set) when the index goes away. Without a {@code self} address it only searches (the one-shot
 * {@code get} command). Requests are matched to replies by request id, so searches pipeline.
 */
public final class IndexClient extends AbstractBehavior<IndexClient.Command> {

  public sealed interface Command
      permits Search, Report, SubscribeTasks, GetStatus, Unregister, CatalogChanged, Connected,
          ConnectFailed, Incoming, ConnectionClosed, Reconnect, HeartbeatTick, RegisterRetry {}

  /** Search the index; the reply carries the response or an error line. */
  public record Search(SearchQuery query, ActorRef<SearchReply> replyTo) implements Command {}

  public record SearchReply(SearchResponse response, String error) {
    public boolean ok() {
      return response != null && Status.OK.equals(response.status());
    }
  }

  /** Report a replication task's outcome ({@link ReplicationReport#DONE} / FAILED). */
  public record Report(String taskId, String fileName, String status, String error) implements Command {}

  /** Where replication tasks go (one subscriber, the replication worker). */
  public record SubscribeTasks(ActorRef<Tasks> subscriber) implements Command {}

  public record Tasks(List<ReplicationTask> tasks) {}

  public record GetStatus(ActorRef<StatusReply> replyTo) implements Command {}

  public record StatusReply(
      Endpoint index, boolean connected, boolean registered, int files, int reconnects,
      String lastError) {}

  /** Leave the index cleanly (shutdown); replies once the index acknowledged or we gave up. */
  public record Unregister(ActorRef<Done> replyTo) implements Command {}

  private record CatalogChanged(Catalog.Delta delta) implements Command {}

  private record Connected(int gen) implements Command {}

  private record ConnectFailed(int gen, Throwable cause) implements Command {}

  private record Incoming(int gen, LineDecoder.Frame frame) implements Command {}

  private record ConnectionClosed(int gen, Throwable cause) implements Command {}

  private enum Reconnect implements Command { INSTANCE }

  private enum HeartbeatTick implements Command { INSTANCE }

  private enum RegisterRetry implements Command { INSTANCE }

  /** How to reach the index and who we are; {@code self} null means search only. */
  public record Options(
      String peerId, PeerAddress self, Endpoint index, Duration heartbeat, Backoff backoff,
      int maxFrameBytes) {
    public static Options peer(String peerId, PeerAddress self, Endpoint index, Duration heartbeat) {
      return new Options(peerId, self, index, heartbeat, Backoff.defaults(), 16 * 1024 * 1024 + 1);
    }

    public static Options searchOnly(String clientId, Endpoint index) {
      return new Options(clientId, null, index, Duration.ofSeconds(5), Backoff.defaults(),
          16 * 1024 * 1024 + 1);
    }

    public Options withBackoff(Backoff b) {
      return new Options(peerId, self, index, heartbeat, b, maxFrameBytes);
    }
  }

  /** What a request in flight was, so its reply can be handled. */
  private sealed interface Pending {}

  private record PendingRegister() implements Pending {}

  private record PendingHeartbeat() implements Pending {}

  private record PendingUpdate(String mode) implements Pending {}

  private record PendingSearch(ActorRef<SearchReply> replyTo) implements Pending {}

  private record PendingReport(String taskId) implements Pending {}

  private record PendingUnregister(ActorRef<Done> replyTo) implements Pending {}

  private static final int OUT_QUEUE = 4096;
  private static final int MAX_WAITING = 100_000;
  private static final int MAX_UNANSWERED_HEARTBEATS = 3;

  private final Options opt;
  private final TimerScheduler<Command> timers;
  private final Materializer mat;
  private final Map<String, FileMeta> files = new LinkedHashMap<>();
  private final Map<String, Pending> pending = new HashMap<>();
  private final List<Search> waiting = new ArrayList<>();
  private final List<Pair<String, Map<String, FileMeta>>> deltasDuringRegister = new ArrayList<>();
  private ActorRef<Tasks> taskSubscriber;
  private BoundedSourceQueue<ByteString> out;
  private int gen;
  private boolean connected;
  private boolean registered;
  private boolean registering;
  private boolean catalogReady;
  private boolean leaving;
  private String token;
  private int attempt;
  private int reconnects;
  private int unansweredHeartbeats;
  private int registerWaitTicks;
  private long seq;
  private String lastError;

  public static Behavior<Command> create(Options options, ActorRef<Catalog.Command> catalog) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new IndexClient(ctx, timers, options, Optional.ofNullable(catalog))));
  }

  private IndexClient(ActorContext<Command> ctx, TimerScheduler<Command> timers, Options opt,
      Optional<ActorRef<Catalog.Command>> catalog) {
    super(ctx);
    this.opt = opt;
    this.timers = timers;
    this.mat = Materializer.createMaterializer(ctx);
    if (opt.self() != null) {
      ActorRef<Catalog.Delta> adapter = ctx.messageAdapter(Catalog.Delta.class, CatalogChanged::new);
      catalog.ifPresent(c -> c.tell(new Catalog.Subscribe(adapter)));
      if (catalog.isEmpty()) {
        catalogReady = true; // nothing to wait for: registers an empty set
      }
    }
    connect();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Search.class, this::onSearch)
        .onMessage(Report.class, this::onReport)
        .onMessage(SubscribeTasks.class, this::onSubscribeTasks)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(Unregister.class, this::onUnregister)
        .onMessage(CatalogChanged.class, this::onCatalogChanged)
        .onMessage(Connected.class, this::onConnected)
        .onMessage(ConnectFailed.class, this::onConnectFailed)
        .onMessage(Incoming.class, this::onIncoming)
        .onMessage(ConnectionClosed.class, this::onClosed)
        .onMessageEquals(Reconnect.INSTANCE, this::onReconnect)
        .onMessageEquals(HeartbeatTick.INSTANCE, this::onHeartbeatTick)
        .onMessageEquals(RegisterRetry.INSTANCE, this::onRegisterRetry)
        .build();
  }

  // ---- connection lifecycle ----

  private void connect() {
    int g = ++gen;
    ActorRef<Command> self = getContext().getSelf();
    // The index may ask for a slower heartbeat than ours: never time out before 30 s of silence.
    // A hung index is caught sooner by unanswered heartbeats.
    Duration quiet = opt.heartbeat().multipliedBy(MAX_UNANSWERED_HEARTBEATS + 1);
    Optional<Duration> idle = opt.self() == null ? Optional.empty()
        : Optional.of(quiet.compareTo(Duration.ofSeconds(30)) < 0 ? Duration.ofSeconds(30) : quiet);
    var tcp = Transport.connect(getContext().getSystem(), opt.index().host(), opt.index().port(),
        io.p2pshare.transport.NodeTls.client(getContext().getSystem()), Optional.of(Duration.ofSeconds(5)), idle);
    int limit = opt.maxFrameBytes();
    Pair<Pair<BoundedSourceQueue<ByteString>, CompletionStage<Tcp.OutgoingConnection>>,
        CompletionStage<Done>> m = Source.<ByteString>queue(OUT_QUEUE)
        .viaMat(tcp, Keep.both())
        .statefulMap(() -> new LineDecoder(limit),
            (d, bytes) -> Pair.create(d, d.feed(bytes)), d -> Optional.empty())
        .mapConcat(list -> list)
        .toMat(Sink.foreach(f -> self.tell(new Incoming(g, f))), Keep.both())
        .run(mat);
    out = m.first().first();
    getContext().pipeToSelf(m.first().second(),
        (ok, err) -> err == null ? new Connected(g) : new ConnectFailed(g, err));
    getContext().pipeToSelf(m.second(), (ok, err) -> new ConnectionClosed(g, err));
  }

  private Behavior<Command> onConnected(Connected c) {
    if (c.gen() != gen) {
      return this;
    }
    connected = true;
    unansweredHeartbeats = 0;
    getContext().getLog().info("[{}] connected to index {}", opt.peerId(), opt.index());
    for (Search s : waiting) {
      sendSearch(s);
    }
    waiting.clear();
    maybeRegister();
    return this;
  }

  private Behavior<Command> onConnectFailed(ConnectFailed f) {
    if (f.gen() != gen) {
      return this;
    }
    lostConnection("cannot connect to index " + opt.index() + ": " + rootMessage(f.cause()));
    return this;
  }

  private Behavior<Command> onClosed(ConnectionClosed c) {
    if (c.gen() != gen) {
      return this;
    }
    if (!connected && c.cause() != null) {
      // The stream can report a refused connect before the connect stage does: same failure.
      lostConnection("cannot connect to index " + opt.index() + ": " + rootMessage(c.cause()));
      return this;
    }
    lostConnection(c.cause() == null ? "index closed the connection"
        : "index connection failed: " + rootMessage(c.cause()));
    return this;
  }

  private void lostConnection(String why) {
    boolean wasConnected = connected;
    connected = false;
    registered = false;
    registering = false;
    deltasDuringRegister.clear();
    lastError = why;
    gen++; // late frames of the old connection are ignored
    if (out != null) {
      try {
        out.complete();
      } catch (IllegalStateException alreadyDone) {
        // the stream ended first: nothing to close
      }
      out = null;
    }
    timers.cancel(HeartbeatTick.INSTANCE);
    timers.cancel(RegisterRetry.INSTANCE);
    for (Map.Entry<String, Pending> p : pending.entrySet()) {
      fail(p.getValue(), why);
    }
    pending.clear();
    for (Search s : waiting) {
      s.replyTo().tell(new SearchReply(null, why));
    }
    waiting.clear();
    if (leaving) {
      return;
    }
    Duration d = opt.backoff().delay(attempt++, ThreadLocalRandom.current()::nextDouble);
    if (wasConnected) {
      getContext().getLog().warn("[{}] {}; reconnecting in {} ms", opt.peerId(), why, d.toMillis());
    } else {
      getContext().getLog().debug("[{}] {}; retry in {} ms", opt.peerId(), why, d.toMillis());
    }
    timers.startSingleTimer(Reconnect.INSTANCE, d);
  }

  private Behavior<Command> onReconnect() {
    if (!leaving && !connected) {
      reconnects++;
      connect();
    }
    return this;
  }

  // ---- registration ----

  private void maybeRegister() {
    if (opt.self() == null || !connected || registered || registering || !catalogReady || leaving) {
      return;
    }
    registering = true;
    registerWaitTicks = 0;
    if (!timers.isTimerActive(HeartbeatTick.INSTANCE)) {
      timers.startTimerWithFixedDelay(HeartbeatTick.INSTANCE, opt.heartbeat());
    }
    deltasDuringRegister.clear();
    send(MessageType.REGISTRY_REQUEST,
        new RegistryRequest(opt.self(), new LinkedHashMap<>(files), RegistryRequest.FULL, token),
        new PendingRegister());
  }

  private Behavior<Command> onRegisterRetry() {
    maybeRegister();
    return this;
  }

  private void onRegistered(Envelope env) {
    registering = false;
    if (isError(env)) {
      String code = code(env);
      if ("UNAUTHORIZED".equals(code) && token != null) {
        // The index does not know our token (it restarted): open a new session.
        token = null;
        maybeRegister();
        return;
      }
      lastError = "registration refused: " + errorText(env);
      getContext().getLog().warn("[{}] {}", opt.peerId(), lastError);
      timers.startSingleTimer(RegisterRetry.INSTANCE,
          opt.backoff().delay(attempt++, ThreadLocalRandom.current()::nextDouble));
      return;
    }
    RegistryResponse r = env.payloadAs(RegistryResponse.class);
    token = r.token();
    registered = true;
    attempt = 0;
    lastError = null;
    Duration hb = r.heartbeatIntervalMs() != null && r.heartbeatIntervalMs() > 0
        ? Duration.ofMillis(r.heartbeatIntervalMs()) : opt.heartbeat();
    timers.startTimerWithFixedDelay(HeartbeatTick.INSTANCE, hb);
    getContext().getLog().info("[{}] registered {} files with index {}", opt.peerId(),
        r.registeredFiles() == null ? files.size() : r.registeredFiles(), opt.index());
    for (Pair<String, Map<String, FileMeta>> d : deltasDuringRegister) {
      sendUpdate(d.first(), d.second());
    }
    deltasDuringRegister.clear();
    deliverTasks(r.replicationTasks());
  }

  private Behavior<Command> onCatalogChanged(CatalogChanged c) {
    Catalog.Delta d = c.delta();
    if (d.full()) {
      files.clear();
      files.putAll(d.added());
      boolean first = !catalogReady;
      catalogReady = true;
      if (first) {
        maybeRegister();
        return this;
      }
      if (registered) {
        registered = false;
        maybeRegister();
      }
      return this;
    }
    files.putAll(d.added());
    d.removed().forEach(files::remove);
    Map<String, FileMeta> removed = new LinkedHashMap<>();
    d.removed().forEach(n -> removed.put(n, FileMeta.EMPTY));
    if (registered) {
      sendUpdate(RegistryRequest.ADD, d.added());
      sendUpdate(RegistryRequest.REMOVE, removed);
    } else if (registering) {
      deltasDuringRegister.add(Pair.create(RegistryRequest.ADD, d.added()));
      deltasDuringRegister.add(Pair.create(RegistryRequest.REMOVE, removed));
    } // else: the next registration sends the full set
    return this;
  }

  private void sendUpdate(String mode, Map<String, FileMeta> changed) {
    if (changed.isEmpty()) {
      return;
    }
    send(MessageType.REGISTRY_REQUEST,
        new RegistryRequest(opt.self(), changed, mode, token), new PendingUpdate(mode));
  }

  // ---- heartbeats and tasks ----

  private Behavior<Command> onHeartbeatTick() {
    if (!registered) {
      // Before registration the tick only guards against an index that never answers it.
      if (registering && ++registerWaitTicks > 2 * MAX_UNANSWERED_HEARTBEATS) {
        lostConnection("index did not answer the registration");
      }
      return this;
    }
    if (unansweredHeartbeats >= MAX_UNANSWERED_HEARTBEATS) {
      lostConnection("index stopped answering heartbeats");
      return this;
    }
    unansweredHeartbeats++;
    send(MessageType.HEARTBEAT, new HeartbeatRequest(token), new PendingHeartbeat());
    return this;
  }

  private void onHeartbeatReply(Envelope env) {
    unansweredHeartbeats = 0;
    if (isError(env)) {
      if ("UNAUTHORIZED".equals(code(env)) || "NOT_FOUND".equals(code(env))) {
        getContext().getLog().info("[{}] index forgot our session: registering again", opt.peerId());
        registered = false;
        token = null;
        timers.cancel(HeartbeatTick.INSTANCE);
        maybeRegister();
      }
      return;
    }
    deliverTasks(env.payloadAs(TasksResponse.class).replicationTasks());
  }

  private void deliverTasks(List<ReplicationTask> tasks) {
    if (tasks == null || tasks.isEmpty()) {
      return;
    }
    if (taskSubscriber == null) {
      getContext().getLog().debug("[{}] {} replication tasks but no worker", opt.peerId(), tasks.size());
      return;
    }
    taskSubscriber.tell(new Tasks(List.copyOf(tasks)));
  }

  private Behavior<Command> onSubscribeTasks(SubscribeTasks s) {
    taskSubscriber = s.subscriber();
    return this;
  }

  private Behavior<Command> onReport(Report r) {
    if (!registered) {
      getContext().getLog().info("[{}] task {} {} not reported: not registered", opt.peerId(),
          r.taskId(), r.status());
      return this;
    }
    send(MessageType.REPLICATION_REPORT,
        new ReplicationReport(token, r.taskId(), r.fileName(), r.status(), r.error()),
        new PendingReport(r.taskId()));
    return this;
  }

  // ---- search, status, leaving ----

  private Behavior<Command> onSearch(Search s) {
    if (connected) {
      sendSearch(s);
    } else if (waiting.size() < MAX_WAITING) {
      waiting.add(s);
    } else {
      s.replyTo().tell(new SearchReply(null, "too many searches waiting for the index"));
    }
    return this;
  }

  private void sendSearch(Search s) {
    send(MessageType.SEARCH_REQUEST, new SearchRequest(s.query()), new PendingSearch(s.replyTo()));
  }

  private Behavior<Command> onGetStatus(GetStatus g) {
    g.replyTo().tell(new StatusReply(opt.index(), connected, registered, files.size(), reconnects,
        lastError));
    return this;
  }

  private Behavior<Command> onUnregister(Unregister u) {
    leaving = true;
    timers.cancel(Reconnect.INSTANCE);
    if (registered && token != null) {
      send(MessageType.UNREGISTER, new UnregisterRequest(token), new PendingUnregister(u.replyTo()));
    } else {
      u.replyTo().tell(Done.getInstance());
    }
    return this;
  }

  // ---- frames ----

  private void send(String type, Object payload, Pending what) {
    String id = opt.peerId() + "-" + (++seq);
    if (out == null || !connected) {
      fail(what, "not connected to the index");
      return;
    }
    Envelope env = Envelope.of(type, opt.peerId(), id, payload);
    QueueOfferResult r = out.offer(ByteString.fromArrayUnsafe(Frames.encode(env)));
    if (r != QueueOfferResult.enqueued()) {
      fail(what, "index connection busy (" + r + ")");
      if (what instanceof PendingRegister) {
        registering = false;
      }
      return;
    }
    pending.put(id, what);
  }

  private Behavior<Command> onIncoming(Incoming in) {
    if (in.gen() != gen) {
      return this;
    }
    if (!(in.frame() instanceof LineDecoder.Line line)) {
      lostConnection("index sent a frame over the size limit");
      return this;
    }
    Envelope env;
    try {
      env = Frames.decode(line.bytes().toArrayUnsafe());
    } catch (ProtocolException e) {
      getContext().getLog().warn("[{}] bad frame from index: {}", opt.peerId(), e.getMessage());
      return this;
    }
    if (MessageType.REPLICATION_TASKS.equals(env.type())) {
      try {
        deliverTasks(env.payloadAs(TasksResponse.class).replicationTasks());
      } catch (ProtocolException e) {
        getContext().getLog().warn("[{}] bad task push: {}", opt.peerId(), e.getMessage());
      }
      return this;
    }
    Pending p = env.requestId() == null ? null : pending.remove(env.requestId());
    if (p == null) {
      getContext().getLog().debug("[{}] unexpected {} from index", opt.peerId(), env.type());
      return this;
    }
    try {
      handleReply(p, env);
    } catch (ProtocolException e) {
      getContext().getLog().warn("[{}] bad {} from index: {}", opt.peerId(), env.type(), e.getMessage());
      fail(p, "bad reply from index: " + e.getMessage());
    }
    return this;
  }

  private void handleReply(Pending p, Envelope env) {
    if (p instanceof PendingRegister) {
      onRegistered(env);
    } else if (p instanceof PendingHeartbeat) {
      onHeartbeatReply(env);
    } else if (p instanceof PendingSearch s) {
      if (isError(env)) {
        SearchResponse r = env.payloadAs(SearchResponse.class);
        s.replyTo().tell(new SearchReply(r, errorText(env)));
      } else {
        s.replyTo().tell(new SearchReply(env.payloadAs(SearchResponse.class), null));
      }
    } else if (p instanceof PendingUpdate u) {
      if (isError(env)) {
        getContext().getLog().warn("[{}] {} update refused: {}", opt.peerId(), u.mode(), errorText(env));
        if ("UNAUTHORIZED".equals(code(env))) {
          registered = false;
          token = null;
          maybeRegister();
        }
      }
    } else if (p instanceof PendingReport r) {
      if (isError(env)) {
        getContext().getLog().info("[{}] report of task {} refused: {}", opt.peerId(), r.taskId(),
            errorText(env));
      }
    } else if (p instanceof PendingUnregister u) {
      registered = false;
      getContext().getLog().info("[{}] unregistered from index", opt.peerId());
      u.replyTo().tell(Done.getInstance());
    }
  }

  private void fail(Pending p, String why) {
    if (p instanceof PendingSearch s) {
      s.replyTo().tell(new SearchReply(null, why));
    } else if (p instanceof PendingUnregister u) {
      u.replyTo().tell(Done.getInstance());
    }
  }

  private static boolean isError(Envelope env) {
    return env.payload() == null || !Status.OK.equals(env.payload().path("status").asText());
  }

  private static String code(Envelope env) {
    return env.payload() == null ? null : env.payload().path("code").asText(null);
  }

  private static String errorText(Envelope env) {
    if (env.payload() == null) {
      return "empty reply";
    }
    String e = env.payload().path("error").asText("");
    String c = env.payload().path("code").asText("");
    return c.isEmpty() ? e : e + " (" + c + ")";
  }

  static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    String m = c.getMessage();
    return m == null ? c.getClass().getSimpleName() : m;
  }
}
