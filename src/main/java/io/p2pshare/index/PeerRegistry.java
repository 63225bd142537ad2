package io.p2pshare.index;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.eventstream.EventStream;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import io.p2pshare.protocol.Ack;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.ErrorCode;
import io.p2pshare.protocol.ErrorReply;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.protocol.ProtocolException;
import io.p2pshare.protocol.RegistryRequest;
import io.p2pshare.protocol.RegistryResponse;
import io.p2pshare.protocol.ReplicationReport;
import io.p2pshare.protocol.ReplicationTask;
import io.p2pshare.protocol.Status;
import io.p2pshare.protocol.TasksResponse;
import io.p2pshare.transfer.FileNames;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Peer sessions: tokens, liveness, expiry. The only writer of {@link PeerRecord} liveness and
 * addresses; fans registrations out to the shards and answers once every shard applied its part
 * (so a search sent after the reply sees the files).
 *
 * <p>Liveness: a session that heartbeats stays live while heartbeats come within
 * {@code peer_expiry_ms}; a session that never heartbeats (a base client) is probed with a TCP
 * connect to its advertised address every heartbeat interval, and a successful probe counts as a
 * heartbeat. A dead peer vanishes from search at once; its entries are purged after
 * {@code rereplication_grace_ms} unless it comes back first.
 */
public final class PeerRegistry extends AbstractBehavior<PeerRegistry.Command> {

  public sealed interface Command
      permits Register, Heartbeat, Unregister, Report, GetCounts, GetPeers, DeliverTasks,
          ShardApplied, Expire, Purge, ProbeTick, ProbeResult {}

  /** REGISTRY_REQUEST; {@code remoteHost} is the connection's address (base clients send no host). */
  public record Register(RegistryRequest request, String envelopePeerId, String remoteHost,
      String requestId, PushChannel push, ActorRef<Reply> replyTo) implements Command {
    public Register(RegistryRequest request, String envelopePeerId, String remoteHost, String requestId,
        ActorRef<Reply> replyTo) {
      this(request, envelopePeerId, remoteHost, requestId, null, replyTo);
    }
  }

  public record Heartbeat(String envelopePeerId, String token, PushChannel push, ActorRef<Reply> replyTo)
      implements Command {
    public Heartbeat(String envelopePeerId, String token, ActorRef<Reply> replyTo) {
      this(envelopePeerId, token, null, replyTo);
    }
  }

  /**
   * Replication tasks for a live peer: pushed on its control connection when it has one, else
   * handed out with its next heartbeat or registration reply. Dropped if the peer is gone (the
   * coordinator's deadline then retries them elsewhere).
   */
  public record DeliverTasks(String peerId, List<ReplicationTask> tasks) implements Command {}

  public record Unregister(String envelopePeerId, String token, ActorRef<Reply> replyTo) implements Command {}

  public record Report(String envelopePeerId, ReplicationReport report, ActorRef<Reply> replyTo)
      implements Command {}

  public record GetCounts(ActorRef<Counts> replyTo) implements Command {}

  /** Every known session's record (live and dead-in-grace). */
  public record GetPeers(ActorRef<Peers> replyTo) implements Command {}

  /** The wire payload to send back: a response record or an {@link ErrorReply}. */
  public record Reply(Object payload) {
    public boolean ok() {
      return !(payload instanceof ErrorReply);
    }
  }

  public record Counts(int live, int dead) {}

  public record Peers(List<PeerRecord> peers) {}

  private record ShardApplied(FileIndexShard.Applied applied) implements Command {}

  private record Expire(String peerId, long gen) implements Command {}

  private record Purge(String peerId, long gen) implements Command {}

  private enum ProbeTick implements Command { INSTANCE }

  private record ProbeResult(String peerId, long gen, boolean ok) implements Command {}

  /** Settings this actor needs, from {@code replication.*} and {@code peer.base_port}. */
  public record Settings(long heartbeatIntervalMs, long peerExpiryMs, long rereplicationGraceMs, int basePort,
      int maxFilesPerRegistration) {
    public Settings(long heartbeatIntervalMs, long peerExpiryMs, long rereplicationGraceMs, int basePort) {
      this(heartbeatIntervalMs, peerExpiryMs, rereplicationGraceMs, basePort, DEFAULT_MAX_FILES);
    }
  }

  /** {@code index.max_files_per_registration} when not configured. */
  public static final int DEFAULT_MAX_FILES = 100_000;
  /** How a registration over the file cap is refused (BAD_REQUEST; counted as its own refusal). */
  public static final String TOO_MANY_FILES = "too many files in one registration";

  private static final Pattern PEER_N = Pattern.compile("peer(\\d{1,9})");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_OUTBOX = 1000;

  private static final class Session {
    final PeerRecord record;
    final String token;
    final long gen;
    boolean live = true;
    /** The token came back once (heartbeat or a request carrying it): tokenless updates refused. */
    boolean tokenBound;
    /** Sent a HEARTBEAT: no probing needed. */
    boolean heartbeats;
    boolean probing;
    /** The peer's control connection, for server push (the latest one that authenticated). */
    PushChannel push;
    /** Tasks not yet handed to the peer (no push channel, or its queue was full). */
    final List<ReplicationTask> outbox = new ArrayList<>();
    /** Files this peer has in each shard (from the shards' replies): registered_files. */
    final int[] shardFiles;

    Session(PeerRecord record, String token, long gen, int[] shardFiles) {
      this.record = record;
      this.token = token;
      this.gen = gen;
      this.shardFiles = shardFiles;
    }

    int files() {
      int n = 0;
      for (int f : shardFiles) {
        n += f;
      }
      return n;
    }
  }

  private static final class Pending {
    final Session session;
    final ActorRef<Reply> replyTo;
    final String requestId;
    int remaining;

    Pending(Session session, ActorRef<Reply> replyTo, String requestId, int remaining) {
      this.session = session;
      this.replyTo = replyTo;
      this.requestId = requestId;
      this.remaining = remaining;
    }
  }

  private final Settings settings;
  private final ShardRouting routing;
  private final List<ActorRef<FileIndexShard.Command>> shards;
  private final Prober prober;
  private final TimerScheduler<Command> timers;
  private final ActorRef<FileIndexShard.Applied> appliedAdapter;
  /** Interned forever per peer id: holder entries point at these. */
  private final Map<String, PeerRecord> records = new HashMap<>();
  private final Map<String, Session> sessions = new HashMap<>();
  private final Map<String, String> peerByToken = new HashMap<>();
  private final Map<Long, Pending> pending = new HashMap<>();
  private long nextRegId = 1;
  private long nextGen = 1;

  public static Behavior<Command> create(Settings settings, ShardRouting routing,
      List<ActorRef<FileIndexShard.Command>> shards, Prober prober) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new PeerRegistry(ctx, timers, settings, routing, shards, prober)));
  }

  private PeerRegistry(ActorContext<Command> context, TimerScheduler<Command> timers, Settings settings,
      ShardRouting routing, List<ActorRef<FileIndexShard.Command>> shards, Prober prober) {
    super(context);
    this.timers = timers;
    this.settings = settings;
    this.routing = routing;
    this.shards = List.copyOf(shards);
    this.prober = prober;
    this.appliedAdapter = context.messageAdapter(FileIndexShard.Applied.class, ShardApplied::new);
    timers.startTimerWithFixedDelay(ProbeTick.INSTANCE, Duration.ofMillis(settings.heartbeatIntervalMs()));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Register.class, this::onRegister)
        .onMessage(Heartbeat.class, this::onHeartbeat)
        .onMessage(Unregister.class, this::onUnregister)
        .onMessage(Report.class, this::onReport)
        .onMessage(GetCounts.class, this::onGetCounts)
        .onMessage(GetPeers.class, this::onGetPeers)
        .onMessage(DeliverTasks.class, this::onDeliverTasks)
        .onMessage(ShardApplied.class, this::onShardApplied)
        .onMessage(Expire.class, this::onExpire)
        .onMessage(Purge.class, this::onPurge)
        .onMessageEquals(ProbeTick.INSTANCE, this::onProbeTick)
        .onMessage(ProbeResult.class, this::onProbeResult)
        .build();
  }

  // ---- registration ----

  private Behavior<Command> onRegister(Register r) {
    RegistryRequest req = r.request();
    PeerAddress declared = req.peer();
    String peerId = declared != null ? declared.peerId() : r.envelopePeerId();
    if (peerId == null || peerId.isBlank()) {
      return refuse(r.replyTo(), ErrorCode.BAD_REQUEST, "missing peer id (envelope peer_id or payload peer.peer_id)");
    }
    if (declared != null && r.envelopePeerId() != null && !r.envelopePeerId().equals(declared.peerId())) {
      return refuse(r.replyTo(), ErrorCode.BAD_REQUEST, "envelope peer_id '" + r.envelopePeerId()
          + "' does not match peer.peer_id '" + declared.peerId() + "'");
    }
    if (req.files().size() > settings.maxFilesPerRegistration()) {
      getContext().getLog().info("peer {} req {}: registration of {} files refused (limit {})", peerId,
          r.requestId(), req.files().size(), settings.maxFilesPerRegistration());
      return refuse(r.replyTo(), ErrorCode.BAD_REQUEST, TOO_MANY_FILES + ": " + req.files().size()
          + " (limit " + settings.maxFilesPerRegistration() + "); register the rest with mode 'add'");
    }
    // All or nothing: one bad entry refuses the request before any shard sees it.
    String problem = validateFiles(req.files());
    if (problem != null) {
      return refuse(r.replyTo(), ErrorCode.BAD_REQUEST, problem);
    }
    String host = declared != null && declared.host() != null && !declared.host().isBlank()
        ? declared.host() : r.remoteHost();
    Integer port = declared != null && declared.port() != null ? declared.port() : derivePort(peerId);
    if (port == null || port < 1 || port > 65535) {
      return refuse(r.replyTo(), ErrorCode.BAD_REQUEST,
          "peer.port missing and not derivable from peer id '" + peerId + "' (expected peerN)");
    }

    Session s = sessions.get(peerId);
    if (s != null && s.live) {
      if (req.token() != null) {
        if (!tokenMatches(s.token, req.token())) {
          return unauthorized(r.replyTo(), peerId, "token does not match this peer's session");
        }
        s.tokenBound = true;
        takesTasks(s);
      } else if (s.tokenBound || !s.record.address().host().equals(host)) {
        return unauthorized(r.replyTo(), peerId, "peer id is held by a live session; send its token");
      }
    } else {
      s = openSession(peerId);
    }
    if (r.push() != null) {
      s.push = r.push();
    }
    PeerRecord.Address address = new PeerRecord.Address(host, port);
    if (!address.equals(s.record.address())) {
      s.record.setAddress(address);
    }
    touch(s);

    long regId = nextRegId++;
    String mode = req.modeOrFull();
    List<Map<String, FileMeta>> parts = split(req.files());
    int sent = 0;
    for (int k = 0; k < parts.size(); k++) {
      // A full registration reaches every shard: each drops what this peer no longer has.
      if (RegistryRequest.FULL.equals(mode) || !parts.get(k).isEmpty()) {
        shards.get(k).tell(new FileIndexShard.Apply(regId, s.record, mode, parts.get(k), appliedAdapter));
        sent++;
      }
    }
    Pending p = new Pending(s, r.replyTo(), r.requestId(), sent);
    if (sent == 0) {
      complete(p);
    } else {
      pending.put(regId, p);
    }
    getContext().getLog().debug("peer {} req {}: register {} files mode {} at {}:{}",
        peerId, r.requestId(), req.files().size(), mode, host, port);
    return this;
  }

  private Behavior<Command> onShardApplied(ShardApplied msg) {
    FileIndexShard.Applied a = msg.applied();
    Pending p = pending.get(a.regId());
    if (p == null) {
      return this; // a removal nobody waits for
    }
    p.session.shardFiles[a.shard()] = a.peerFiles();
    if (--p.remaining == 0) {
      pending.remove(a.regId());
      complete(p);
    }
    return this;
  }

  private void complete(Pending p) {
    Session s = p.session;
    if (sessions.get(s.record.peerId()) != s) {
      p.replyTo.tell(new Reply(ErrorReply.of(ErrorCode.UNAUTHORIZED, "session ended during registration")));
      return;
    }
    if (!s.record.isLive() && s.live) {
      s.record.setLive(true);
      publish(new IndexEvents.PeerLive(s.record));
      getContext().getLog().info("peer {} live at {}:{} with {} files", s.record.peerId(),
          s.record.address().host(), s.record.address().port(), s.files());
    }
    List<ReplicationTask> tasks = drainOutbox(s);
    p.replyTo.tell(new Reply(new RegistryResponse(Status.OK, s.files(), s.token,
        settings.heartbeatIntervalMs(), !tasks.isEmpty(), tasks)));
  }

  private Session openSession(String peerId) {
    Session old = sessions.remove(peerId);
    if (old != null) {
      peerByToken.remove(old.token);
    }
    PeerRecord record = records.computeIfAbsent(peerId,
        id -> new PeerRecord(id, new PeerRecord.Address("127.0.0.1", 0)));
    byte[] raw = new byte[16];
    RANDOM.nextBytes(raw);
    // Entries of a dead session survive until purged: carry their counts over.
    int[] shardFiles = old != null ? old.shardFiles : new int[shards.size()];
    Session s = new Session(record, HexFormat.of().formatHex(raw), nextGen++, shardFiles);
    record.setTakesTasks(false); // until it heartbeats or uses its token: base clients never do
    sessions.put(peerId, s);
    peerByToken.put(s.token, peerId);
    return s;
  }

  private List<Map<String, FileMeta>> split(Map<String, FileMeta> files) {
    List<Map<String, FileMeta>> parts = new ArrayList<>(shards.size());
    int expected = Math.max(4, files.size() * 2 / Math.max(1, shards.size()));
    for (int k = 0; k < shards.size(); k++) {
      parts.add(new HashMap<>(expected));
    }
    files.forEach((name, meta) -> parts.get(routing.shardOf(name)).put(name, meta));
    return parts;
  }

  private static String validateFiles(Map<String, FileMeta> files) {
    for (Map.Entry<String, FileMeta> f : files.entrySet()) {
      String name = f.getKey();
      try {
        FileNames.validate(name); // the one name check: ≤ 255 bytes UTF-8, no separators, …
      } catch (ProtocolException e) {
        return "invalid file name in registration: " + e.getMessage();
      }
      FileMeta m = f.getValue();
      if (m == null) {
        continue;
      }
      if (m.sizeBytes() != null && m.sizeBytes() < 0) {
        return "size_bytes must not be negative for '" + abbreviate(name) + "'";
      }
      if (m.sha256() != null && !Holder.validSha(m.sha256())) {
        return "sha256 must be 64 hex digits for '" + abbreviate(name) + "'";
      }
    }
    return null;
  }

  private static String abbreviate(String s) {
    String clean = s.replaceAll("\\p{Cntrl}", "?");
    return clean.length() > 80 ? clean.substring(0, 80) + "…" : clean;
  }

  /** {@code peerN} serves on {@code base_port + N − 1} (the reference convention). */
  Integer derivePort(String peerId) {
    Matcher m = PEER_N.matcher(peerId);
    if (!m.matches()) {
      return null;
    }
    long n = Long.parseLong(m.group(1));
    long port = settings.basePort() + n - 1;
    return n >= 1 && port <= 65535 ? (int) port : null;
  }

  // ---- heartbeats, leave, reports ----

  private Behavior<Command> onHeartbeat(Heartbeat h) {
    Session s = authenticate(h.envelopePeerId(), h.token(), h.replyTo());
    if (s != null) {
      s.tokenBound = true;
      s.heartbeats = true;
      takesTasks(s);
      if (h.push() != null) {
        s.push = h.push();
      }
      touch(s);
      h.replyTo().tell(new Reply(TasksResponse.ok(drainOutbox(s))));
    }
    return this;
  }

  private Behavior<Command> onUnregister(Unregister u) {
    Session s = authenticate(u.envelopePeerId(), u.token(), u.replyTo());
    if (s == null) {
      return this;
    }
    String peerId = s.record.peerId();
    endSession(s);
    for (ActorRef<FileIndexShard.Command> shard : shards) {
      shard.tell(new FileIndexShard.RemovePeer(0, s.record, null));
    }
    publish(new IndexEvents.PeerUnregistered(s.record));
    getContext().getLog().info("peer {} unregistered", peerId);
    u.replyTo().tell(new Reply(Ack.OK));
    return this;
  }

  private Behavior<Command> onReport(Report r) {
    Session s = authenticate(r.envelopePeerId(), r.report().token(), r.replyTo());
    if (s != null) {
      s.tokenBound = true;
      touch(s);
      ReplicationReport rep = r.report();
      publish(new IndexEvents.TaskReported(s.record.peerId(), rep.taskId(), rep.fileName(), rep.status(),
          rep.error()));
      r.replyTo().tell(new Reply(Ack.OK));
    }
    return this;
  }

  /** The live session this token belongs to, or null after replying UNAUTHORIZED. */
  private Session authenticate(String envelopePeerId, String token, ActorRef<Reply> replyTo) {
    String peerId = envelopePeerId != null ? envelopePeerId : peerByToken.get(token);
    Session s = peerId == null ? null : sessions.get(peerId);
    if (s == null || !tokenMatches(s.token, token)) {
      unauthorized(replyTo, peerId, "unknown token: register first");
      return null;
    }
    if (!s.live) {
      unauthorized(replyTo, peerId, "session expired: register again");
      return null;
    }
    return s;
  }

  static boolean tokenMatches(String expected, String given) {
    return given != null && MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }

  // ---- liveness ----

  private void touch(Session s) {
    timers.startSingleTimer("expire:" + s.record.peerId(), new Expire(s.record.peerId(), s.gen),
        Duration.ofMillis(settings.peerExpiryMs()));
  }

  private Behavior<Command> onExpire(Expire e) {
    Session s = sessions.get(e.peerId());
    if (s == null || s.gen != e.gen() || !s.live) {
      return this;
    }
    s.live = false;
    s.record.setLive(false);
    publish(new IndexEvents.PeerDead(s.record));
    getContext().getLog().info("peer {} dead: silent for {} ms", e.peerId(), settings.peerExpiryMs());
    timers.startSingleTimer("purge:" + e.peerId(), new Purge(e.peerId(), s.gen),
        Duration.ofMillis(settings.rereplicationGraceMs()));
    return this;
  }

  private Behavior<Command> onPurge(Purge p) {
    Session s = sessions.get(p.peerId());
    if (s == null || s.gen != p.gen() || s.live) {
      return this;
    }
    endSession(s);
    for (ActorRef<FileIndexShard.Command> shard : shards) {
      shard.tell(new FileIndexShard.RemovePeer(0, s.record, null));
    }
    getContext().getLog().info("peer {} forgotten after grace period", p.peerId());
    return this;
  }

  private void endSession(Session s) {
    s.live = false;
    s.record.setLive(false);
    sessions.remove(s.record.peerId());
    peerByToken.remove(s.token);
    timers.cancel("expire:" + s.record.peerId());
    timers.cancel("purge:" + s.record.peerId());
  }

  private Behavior<Command> onProbeTick() {
    for (Session s : sessions.values()) {
      if (!s.heartbeats && !s.probing) {
        s.probing = true;
        PeerRecord.Address a = s.record.address();
        String peerId = s.record.peerId();
        long gen = s.gen;
        getContext().pipeToSelf(prober.probe(a.host(), a.port()),
            (ok, err) -> new ProbeResult(peerId, gen, err == null && Boolean.TRUE.equals(ok)));
      }
    }
    return this;
  }

  private Behavior<Command> onProbeResult(ProbeResult r) {
    Session s = sessions.get(r.peerId());
    if (s == null || s.gen != r.gen()) {
      return this;
    }
    s.probing = false;
    if (!r.ok()) {
      getContext().getLog().debug("peer {} probe failed", r.peerId());
      return this;
    }
    if (!s.live) { // a base peer that was unreachable for a while is back: findable again
      s.live = true;
      s.record.setLive(true);
      timers.cancel("purge:" + r.peerId());
      publish(new IndexEvents.PeerLive(s.record));
      getContext().getLog().info("peer {} reachable again", r.peerId());
    }
    touch(s);
    return this;
  }

  // ---- queries ----

  private Behavior<Command> onDeliverTasks(DeliverTasks d) {
    Session s = sessions.get(d.peerId());
    if (s == null || !s.live || d.tasks().isEmpty()) {
      return this;
    }
    boolean pushed = s.push != null && s.push.offer(Envelope.of(MessageType.REPLICATION_TASKS,
        "index", null, TasksResponse.ok(d.tasks())));
    if (!pushed) {
      s.push = null; // closed or full: fall back to the next reply
      if (s.outbox.size() < MAX_OUTBOX) { // beyond that the deadlines retry them elsewhere
        s.outbox.addAll(d.tasks());
      }
    }
    getContext().getLog().debug("peer {}: {} replication task(s) {}", d.peerId(), d.tasks().size(),
        pushed ? "pushed" : "queued for its next heartbeat");
    return this;
  }

  /** The peer showed it speaks the extensions: from now on it can be a replication target. */
  private void takesTasks(Session s) {
    if (!s.record.takesTasks()) {
      s.record.setTakesTasks(true);
      if (s.record.isLive()) {
        publish(new IndexEvents.PeerLive(s.record));
      }
    }
  }

  private static List<ReplicationTask> drainOutbox(Session s) {
    if (s.outbox.isEmpty()) {
      return List.of();
    }
    List<ReplicationTask> out = List.copyOf(s.outbox);
    s.outbox.clear();
    return out;
  }

  private Behavior<Command> onGetCounts(GetCounts g) {
    int live = 0;
    for (Session s : sessions.values()) {
      if (s.live) {
        live++;
      }
    }
    g.replyTo().tell(new Counts(live, sessions.size() - live));
    return this;
  }

  private Behavior<Command> onGetPeers(GetPeers g) {
    List<PeerRecord> out = new ArrayList<>();
    for (Session s : sessions.values()) {
      out.add(s.record);
    }
    g.replyTo().tell(new Peers(out));
    return this;
  }

  private Behavior<Command> refuse(ActorRef<Reply> replyTo, ErrorCode code, String message) {
    replyTo.tell(new Reply(ErrorReply.of(code, message)));
    return this;
  }

  private Behavior<Command> unauthorized(ActorRef<Reply> replyTo, String peerId, String message) {
    getContext().getLog().info("peer {} refused: {}", peerId, message);
    return refuse(replyTo, ErrorCode.UNAUTHORIZED, message);
  }

  private void publish(IndexEvents.Event event) {
    getContext().getSystem().eventStream().tell(new EventStream.Publish<>(event));
  }
}
