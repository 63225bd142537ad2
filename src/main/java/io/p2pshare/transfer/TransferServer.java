package io.p2pshare.transfer;

import akka.Done;
import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.ActorContext;
import akka.japi.Pair;
import akka.pattern.Patterns;
import akka.stream.Materializer;
import akka.stream.javadsl.FileIO;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.Tcp;
import akka.util.ByteString;
import io.p2pshare.config.PeerSettings;
import io.p2pshare.metrics.Metrics;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.ErrorCode;
import io.p2pshare.protocol.ErrorReply;
import io.p2pshare.protocol.Frames;
import io.p2pshare.protocol.LineDecoder;
import io.p2pshare.protocol.ManifestResponse;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.ProtocolException;
import io.p2pshare.protocol.Status;
import io.p2pshare.protocol.TransferHeader;
import io.p2pshare.protocol.TransferRequest;
import io.p2pshare.transport.ConnectionLimits;
import io.p2pshare.transport.PortLimits;
import io.p2pshare.transport.RequestLines;
import io.p2pshare.transport.TlsSettings;
import io.p2pshare.transport.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peer's transfer port on Streams TCP (PROTOCOL.md, "Peer transfer server"): OBTAIN (shared,
 * replicated, downloaded), REPLICATE (shared, replicated) and MANIFEST, many requests per
 * connection, answered strictly in order.
 *
 * <p>Per connection: {@link LineDecoder} (64 KiB: an oversized request gets FRAME_TOO_LARGE and
 * the connection is closed) → one response source per request via {@code flatMapConcat}: the
 * header line, then exactly {@code length} bytes read by {@code FileIO.fromPath} from the offset
 * and cut to the range. Backpressured end to end, so memory per upload is a few chunks whatever
 * the file size. A file that turns out shorter than announced fails the connection (the client
 * sees a truncated body, never a short "complete" one).
 *
 * <p>Limits: at most {@code maxUploads} bodies in flight across all connections (beyond that:
 * BUSY, connection kept); {@code maxUploadRate} bytes/s shared by all uploads (0 = unlimited).
 *
 * <p>Compatibility with base v1 clients that read the header with one 4 KiB read and drop what
 * followed the newline: for a request with no extension field (no offset/length) the header is
 * padded with JSON whitespace to exactly 4096 bytes and written on its own, so a 4 KiB read can
 * never hold body bytes. Our own clients send offset/length and get a compact header.
 */
public final class TransferServer {
  private static final Logger log = LoggerFactory.getLogger(TransferServer.class);

  /** The size of the base clients' single header read. */
  static final int BASE_HEADER_BYTES = 4096;
  static final Set<Origin> OBTAIN_FROM = EnumSet.allOf(Origin.class);
  static final Set<Origin> REPLICATE_FROM = EnumSet.of(Origin.SHARED, Origin.REPLICATED);
  private static final int HASH_CACHE_MAX = 4096;
  /** Bodies up to this size are read in one go and sent with their header (no FileIO stream). */
  static final int INLINE_MAX = 64 * 1024;
  /** Bodies up to this size are read in one go on the blocking dispatcher (no FileIO stream). */
  static final int BUFFERED_MAX = 1024 * 1024;

  /** Everything the server needs; {@code port} 0 binds an ephemeral port. */
  public record Settings(String peerId, String host, int port, int maxUploads, long maxUploadRate,
      int maxFrameBytes, int chunkSize, Duration idleTimeout, Optional<TlsSettings> tls, PortLimits limits) {

    public static final int DEFAULT_MAX_FRAME = 64 * 1024;
    public static final int DEFAULT_CHUNK = 128 * 1024;

    public static Settings of(String peerId, String host, int port) {
      return new Settings(peerId, host, port, 32, 0, DEFAULT_MAX_FRAME, DEFAULT_CHUNK,
          Duration.ofMinutes(5), Optional.empty(), PortLimits.DEFAULT);
    }

    public static Settings from(PeerSettings ps) {
      return new Settings(ps.peerId(), ps.host(), ps.port(), ps.maxUploads(), ps.maxUploadRate(),
          DEFAULT_MAX_FRAME, DEFAULT_CHUNK, Duration.ofMinutes(5), TlsSettings.forServer(ps.tls()),
          new PortLimits(ps.maxConnections(), ps.maxConnectionsPerAddress(),
              Duration.ofMillis(ps.headerDeadlineMs())));
    }

    public Settings withMaxUploads(int n) {
      return new Settings(peerId, host, port, n, maxUploadRate, maxFrameBytes, chunkSize, idleTimeout, tls, limits);
    }

    public Settings withMaxUploadRate(long bytesPerSecond) {
      return new Settings(peerId, host, port, maxUploads, bytesPerSecond, maxFrameBytes, chunkSize,
          idleTimeout, tls, limits);
    }

    public Settings withChunkSize(int bytes) {
      return new Settings(peerId, host, port, maxUploads, maxUploadRate, maxFrameBytes, bytes, idleTimeout, tls, limits);
    }

    public Settings withTls(Optional<TlsSettings> t) {
      return new Settings(peerId, host, port, maxUploads, maxUploadRate, maxFrameBytes, chunkSize, idleTimeout, t, limits);
    }

    public Settings withLimits(PortLimits l) {
      return new Settings(peerId, host, port, maxUploads, maxUploadRate, maxFrameBytes, chunkSize, idleTimeout, tls, l);
    }
  }

  private final Settings settings;
  private final ServedFiles files;
  private final ActorSystem<?> system;
  private final Executor blocking;
  private final AtomicInteger uploads = new AtomicInteger();
  private final RateGate gate;
  private final ConnectionLimits connections;
  private final Map<String, PieceHasher.Hashes> hashes = new ConcurrentHashMap<>();
  private volatile Tcp.ServerBinding binding;

  private TransferServer(ActorSystem<?> system, Settings settings, ServedFiles files) {
    this.system = system;
    this.settings = settings;
    this.files = files;
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    this.gate = new RateGate(settings.maxUploadRate());
    this.connections = new ConnectionLimits(settings.limits().maxConnections(),
        settings.limits().maxConnectionsPerAddress());
  }

  /**
   * Binds and serves until {@link #unbind()} or until {@code mat} shuts down (an actor's
   * materializer ties connections to that actor). Completes once bound.
   */
  public static CompletionStage<TransferServer> start(ActorSystem<?> system, Materializer mat,
      Settings settings, ServedFiles files) {
    TransferServer server = new TransferServer(system, settings, files);
    return Transport.bind(system, settings.host(), settings.port(), settings.tls(),
            Optional.of(settings.idleTimeout()), settings.limits().headerDeadline(), (remote, err) -> {
              io.p2pshare.metrics.NodeMetrics.of(system).refusal(Metrics.Refusal.TLS_HANDSHAKE);
              log.debug("peer={} from={} TLS failed: {}", settings.peerId(), remote, err.toString());
            })
        .to(Sink.foreach(conn -> server.accept(conn, mat)))
        .run(mat)
        .thenApply(b -> {
          server.binding = b;
          log.info("peer={} transfer server listening on {}:{}{} (max uploads {}, upload rate {})",
              settings.peerId(), b.localAddress().getHostString(), b.localAddress().getPort(),
              settings.tls().isPresent() ? " (TLS)" : "",
              settings.maxUploads(), settings.maxUploadRate() > 0 ? settings.maxUploadRate() + " B/s" : "unlimited");
          return server;
        });
  }

  /**
   * The peer guardian's way in (the shape of {@code peer.TransferPort}): serves {@code files}
   * with the peer's settings for as long as {@code ctx}'s actor lives.
   */
  public static CompletionStage<InetSocketAddress> start(ActorContext<?> ctx, PeerSettings ps,
      ServedFiles files) {
    return start(ctx.getSystem(), Materializer.createMaterializer(ctx), Settings.from(ps), files)
        .thenApply(TransferServer::address);
  }

  public InetSocketAddress address() {
    return binding.localAddress();
  }

  public int port() {
    return address().getPort();
  }

  /** Bodies being sent right now (all connections). */
  public int activeUploads() {
    return uploads.get();
  }

  /** Stops accepting; open connections finish what they are doing. */
  public CompletionStage<Done> unbind() {
    Tcp.ServerBinding b = binding;
    return b == null ? CompletableFuture.completedFuture(Done.getInstance())
        : b.unbind().thenApply(x -> Done.getInstance());
  }

  // ---- one connection ------------------------------------------------------------------

  /** Takes a connection slot (total and per address) or refuses with BUSY and closes. */
  private void accept(Tcp.IncomingConnection conn, Materializer mat) {
    java.net.InetAddress from = conn.remoteAddress().getAddress();
    ConnectionLimits.Outcome slot = connections.tryAcquire(from);
    if (slot != ConnectionLimits.Outcome.ACCEPTED) {
      boolean total = slot == ConnectionLimits.Outcome.TOTAL;
      io.p2pshare.metrics.NodeMetrics.of(system).refusal(total
          ? Metrics.Refusal.CONNECTIONS_TOTAL : Metrics.Refusal.CONNECTIONS_PER_ADDRESS);
      log.debug("peer={} from={} connection refused: {}", settings.peerId(), from.getHostAddress(),
          total ? "too many connections" : "too many connections from this address");
      conn.handleWith(Flow.fromSinkAndSourceCoupled(Sink.ignore(), single(Envelope.of(MessageType.ERROR,
          settings.peerId(), null, ErrorReply.of(ErrorCode.BUSY, total
              ? "too many connections" : "too many connections from your address")))), mat);
      return;
    }
    conn.handleWith(handler(conn.remoteAddress()).watchTermination((nu, done) -> {
      done.whenComplete((d, e) -> connections.release(from));
      return NotUsed.getInstance();
    }), mat);
  }

  /** The flow for one connection: request lines in, headers and bodies out, in order. */
  Flow<ByteString, ByteString, NotUsed> handler(InetSocketAddress remote) {
    String from = remote.getHostString() + ":" + remote.getPort();
    return Flow.of(ByteString.class)
        .via(RequestLines.flow(settings.maxFrameBytes(), settings.limits().headerDeadline()))
        // After FRAME_TOO_LARGE or a missed header deadline the reply is the last thing sent.
        .takeWhile(f -> f instanceof LineDecoder.Line, true)
        .flatMapConcat(f -> respond(f, from));
  }

  private Source<ByteString, NotUsed> respond(LineDecoder.Frame frame, String from) {
    if (frame instanceof LineDecoder.Stalled) {
      log.info("peer={} from={} request line not finished within {} ms: closing", settings.peerId(), from,
          settings.limits().headerDeadline().toMillis());
      io.p2pshare.metrics.NodeMetrics.of(system).refusal(Metrics.Refusal.HEADER_DEADLINE);
      return single(Envelope.of(MessageType.ERROR, settings.peerId(), null, ErrorReply.of(
          ErrorCode.BAD_REQUEST, "request line not finished within the header deadline")));
    }
    if (!(frame instanceof LineDecoder.Line line)) {
      io.p2pshare.metrics.NodeMetrics.of(system).refusal(Metrics.Refusal.FRAME_TOO_LARGE);
      log.debug("peer={} from={} request over {} bytes: FRAME_TOO_LARGE, closing",
          settings.peerId(), from, settings.maxFrameBytes());
      return single(Envelope.of(MessageType.ERROR, settings.peerId(), null, ErrorReply.of(
          ErrorCode.FRAME_TOO_LARGE, "request frame longer than " + settings.maxFrameBytes() + " bytes")));
    }
    Envelope req;
    try {
      req = Frames.decode(line.bytes().toArray());
    } catch (ProtocolException e) {
      log.debug("peer={} from={} unreadable request: {}", settings.peerId(), from, e.getMessage());
      io.p2pshare.metrics.NodeMetrics.of(system).refusal(Metrics.Refusal.BAD_REQUEST);
      return single(Envelope.of(MessageType.ERROR, settings.peerId(), null, ErrorReply.of(e)));
    }
    try {
      return switch (req.type()) {
        case MessageType.OBTAIN_REQUEST -> transfer(req, OBTAIN_FROM, from);
        case MessageType.REPLICATE_REQUEST -> transfer(req, REPLICATE_FROM, from);
        case MessageType.MANIFEST_REQUEST -> manifest(req, from);
        default -> throw new ProtocolException(ErrorCode.UNKNOWN_TYPE,
            "unknown type on a transfer port: " + FileNames.printable(req.type()));
      };
    } catch (ProtocolException e) {
      switch (e.code()) { // NOT_FOUND is an answer, not a refusal
        case BUSY -> io.p2pshare.metrics.NodeMetrics.of(system).refusal(Metrics.Refusal.UPLOADS_BUSY);
        case BAD_REQUEST, UNKNOWN_TYPE -> io.p2pshare.metrics.NodeMetrics.of(system).refusal(Metrics.Refusal.BAD_REQUEST);
        default -> { }
      }
      log.debug("peer={} from={} client={} req={} {} refused: {} {}", settings.peerId(), from,
          req.peerId(), req.requestId(), req.type(), e.code(), e.getMessage());
      return single(req.reply(settings.peerId(), ErrorReply.of(e)));
    }
  }

  private Source<ByteString, NotUsed> transfer(Envelope req, Set<Origin> origins, String from) {
    TransferRequest r = req.payloadAs(TransferRequest.class);
    String name = FileNames.validate(r.fileName());
    FileEntry e = files.lookup(name, origins).orElseThrow(() -> notFound(name));
    long size;
    try {
      size = Files.size(e.path());
    } catch (IOException gone) {
      throw notFound(name);
    }
    long offset = r.offset() == null ? 0 : r.offset();
    if (offset > size) {
      throw ProtocolException.badRequest("offset " + offset + " beyond end of file (" + size + " bytes)");
    }
    long length = r.length() == null ? size - offset : r.length();
    if (length > size - offset) {
      throw ProtocolException.badRequest("range " + offset + "+" + length + " beyond end of file ("
          + size + " bytes)");
    }
    boolean inline = length <= INLINE_MAX;
    if (length > 0 && (inline ? uploads.get() >= settings.maxUploads() : !tryStartUpload())) {
      throw new ProtocolException(ErrorCode.BUSY, "too many uploads in progress, retry later");
    }
    String sha = knownSha(e, size);
    boolean base = !r.hasRange();
    byte[] header = Frames.encode(req.reply(settings.peerId(),
        new TransferHeader(Status.OK, name, size, length, offset, length, sha, null, null)));
    if (base) {
      header = padToBaseRead(header);
    }
    log.debug("peer={} from={} client={} req={} {} {} {}+{} of {}", settings.peerId(), from,
        req.peerId(), req.requestId(), req.type(), FileNames.printable(name), offset, length, size);
    ByteString head = ByteString.fromArrayUnsafe(header);
    if (length == 0) {
      return Source.single(head);
    }
    if (inline) {
      // Small bodies (the 1 KiB files): read right here, on the stream's thread (no thread hop
      // per request). The base-client padding keeps the header alone in a 4 KiB read anyway.
      if (!gate.enabled()) {
        // A Source.single: flatMapConcat emits it without materializing a substream.
        return Source.single(headAndBody(head, e.path(), offset, (int) length, req, name));
      }
      return oneRead(head, e.path(), offset, (int) length, req, name, Runnable::run, null);
    }
    if (length <= BUFFERED_MAX) {
      return oneRead(head, e.path(), offset, (int) length, req, name, blocking, new Slot());
    }
    return Source.single(head).concat(body(e.path(), offset, length, req, name, new Slot()));
  }

  /**
   * Reads a small range at once, on the stream's thread: at most {@link #INLINE_MAX} bytes,
   * from the page cache in the common case. A file shorter than announced fails the connection.
   */
  private static ByteString readSmall(Path path, long offset, int length, String name) throws IOException {
    byte[] buf = new byte[length];
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      ByteBuffer bb = ByteBuffer.wrap(buf);
      while (bb.hasRemaining()) {
        if (ch.read(bb, offset + bb.position()) < 0) {
          throw new IOException("file " + name + " shorter than announced");
        }
      }
    }
    return ByteString.fromArrayUnsafe(buf);
  }

  /**
   * A body up to {@link #BUFFERED_MAX} (the 1 MiB files, short last pieces) in one read on
   * {@code where}, sent with its header in one write, instead of a FileIO stream per request
   * (whose start costs about a millisecond). With a {@code slot} (may be null) it counts as an
   * upload until handed to TCP. A read that fails is a clean NOT_FOUND: nothing of this reply
   * was sent yet.
   */
  private Source<ByteString, NotUsed> oneRead(ByteString head, Path path, long offset, int length,
      Envelope req, String name, Executor where, Slot slot) {
    CompletableFuture<ByteString> reply = CompletableFuture.supplyAsync(
        () -> headAndBody(head, path, offset, length, req, name), where);
    Source<ByteString, NotUsed> one = Source.completionStage(reply);
    if (gate.enabled()) {
      one = one.mapAsync(1, this::paced);
    }
    if (slot == null) {
      return one;
    }
    return one.watchTermination((mat, done) -> {
      done.whenComplete((ok, err) -> slot.release());
      return NotUsed.getInstance();
    });
  }

  /** The header and the body read in one go (counted), or a NOT_FOUND reply if it cannot be read. */
  private ByteString headAndBody(ByteString head, Path path, long offset, int length, Envelope req,
      String name) {
    try {
      ByteString bytes = readSmall(path, offset, length, name);
      io.p2pshare.metrics.NodeMetrics.of(system).bytesServed(bytes.size());
      return head.concat(bytes);
    } catch (IOException io) {
      log.debug("peer={} client={} req={} cannot read {}: {}", settings.peerId(), req.peerId(),
          req.requestId(), FileNames.printable(name), io.getMessage());
      return ByteString.fromArrayUnsafe(Frames.encode(req.reply(settings.peerId(),
          ErrorReply.of(ErrorCode.NOT_FOUND, "cannot read " + FileNames.printable(name)))));
    }
  }

  /** Exactly {@code length} bytes of {@code path} from {@code offset}, paced, counted. */
  private Source<ByteString, NotUsed> body(Path path, long offset, long length, Envelope req, String name,
      Slot slot) {
    Source<ByteString, ?> bytes = FileIO.fromPath(path, settings.chunkSize(), offset)
        .statefulMap(() -> new long[] {length}, (left, chunk) -> {
          ByteString cut = chunk.size() >= left[0] ? chunk.take((int) left[0]) : chunk;
          left[0] -= cut.size();
          if (left[0] == 0) {
            slot.release(); // now, in the stream: before the client can send its next request
          }
          return Pair.create(left, Pair.create(cut, left[0] == 0));
        }, left -> left[0] > 0 ? Optional.of(Pair.create((ByteString) null, true)) : Optional.empty())
        .takeWhile(p -> !p.second(), true)
        .map(p -> {
          if (p.first() == null) { // the file ended early: never pass off a short body as complete
            throw new IOException("file " + name + " shorter than announced");
          }
          return p.first();
        });
    if (gate.enabled()) {
      bytes = bytes.mapAsync(1, this::paced);
    }
    io.p2pshare.metrics.Metrics metrics = io.p2pshare.metrics.NodeMetrics.of(system);
    bytes = bytes.map(chunk -> {
      metrics.bytesServed(chunk.size());
      return chunk;
    });
    return bytes.watchTermination((mat, done) -> {
      done.whenComplete((ok, err) -> {
        slot.release(); // failures and cancellations (asynchronous, hence the idempotent slot)
        if (err != null) {
          log.debug("peer={} client={} req={} upload of {} ended early: {}", settings.peerId(),
              req.peerId(), req.requestId(), FileNames.printable(name), err.toString());
        }
      });
      return NotUsed.getInstance();
    });
  }

  private Source<ByteString, NotUsed> manifest(Envelope req, String from) {
    TransferRequest r = req.payloadAs(TransferRequest.class);
    String name = FileNames.validate(r.fileName());
    FileEntry e = files.lookup(name, OBTAIN_FROM).orElseThrow(() -> notFound(name));
    log.debug("peer={} from={} client={} req={} MANIFEST {}", settings.peerId(), from, req.peerId(),
        req.requestId(), FileNames.printable(name));
    if (e.hashed()) {
      return single(req.reply(settings.peerId(),
          new ManifestResponse(Status.OK, name, e.size(), e.sha256(), e.pieceSize(), e.pieces())));
    }
    // Not hashed yet (a directory-backed view, or the catalog is still hashing): hash off the
    // stream threads, remember it by (path, size, mtime).
    CompletableFuture<ByteString> reply = CompletableFuture.supplyAsync(() -> {
      try {
        PieceHasher.Hashes h = hashOf(e);
        return ByteString.fromArrayUnsafe(Frames.encode(req.reply(settings.peerId(),
            new ManifestResponse(Status.OK, name, h.size(), h.sha256(), h.pieceSize(), h.pieces()))));
      } catch (IOException io) {
        return ByteString.fromArrayUnsafe(Frames.encode(req.reply(settings.peerId(),
            ErrorReply.of(ErrorCode.NOT_FOUND, "cannot read " + FileNames.printable(name)))));
      }
    }, blocking);
    return Source.completionStage(reply);
  }

  private PieceHasher.Hashes hashOf(FileEntry e) throws IOException {
    String key = key(e.path(), e.size(), e.mtimeMs());
    PieceHasher.Hashes h = hashes.get(key);
    if (h == null) {
      h = PieceHasher.hash(e.path(), e.pieceSize() > 0 ? e.pieceSize() : PieceHasher.DEFAULT_PIECE_SIZE);
      if (hashes.size() >= HASH_CACHE_MAX) {
        hashes.clear();
      }
      hashes.put(key, h);
    }
    return h;
  }

  /** The whole-file hash, if known for the file as it is now. */
  private String knownSha(FileEntry e, long size) {
    if (e.sha256() != null && e.size() == size) {
      return e.sha256();
    }
    PieceHasher.Hashes h = hashes.get(key(e.path(), e.size(), e.mtimeMs()));
    return h != null && h.size() == size ? h.sha256() : null;
  }

  private static String key(Path p, long size, long mtime) {
    return p + "\u0000" + size + "\u0000" + mtime;
  }

  private boolean tryStartUpload() {
    if (uploads.incrementAndGet() > settings.maxUploads()) {
      uploads.decrementAndGet();
      return false;
    }
    return true;
  }

  /** One counted upload; released exactly once, whichever way the body ends. */
  private final class Slot {
    private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

    void release() {
      if (released.compareAndSet(false, true)) {
        uploads.decrementAndGet();
      }
    }
  }

  private CompletionStage<ByteString> paced(ByteString chunk) {
    long waitNanos = gate.reserve(chunk.size());
    if (waitNanos <= 0) {
      return CompletableFuture.completedFuture(chunk);
    }
    return Patterns.after(Duration.ofNanos(waitNanos), system.classicSystem().scheduler(),
        system.executionContext(), () -> CompletableFuture.completedFuture(chunk));
  }

  private static ProtocolException notFound(String name) {
    return new ProtocolException(ErrorCode.NOT_FOUND, "no such file: " + FileNames.printable(name));
  }

  private static Source<ByteString, NotUsed> single(Envelope env) {
    return Source.single(ByteString.fromArrayUnsafe(Frames.encode(env)));
  }

  /**
   * {@code {...}\n} → {@code {...}<spaces>\n}, 4096 bytes in all: a base client's single 4 KiB
   * read then ends exactly at the newline. Longer headers are left as they are.
   */
  static byte[] padToBaseRead(byte[] line) {
    if (line.length >= BASE_HEADER_BYTES) {
      return line;
    }
    byte[] out = Arrays.copyOf(line, BASE_HEADER_BYTES);
    Arrays.fill(out, line.length - 1, BASE_HEADER_BYTES - 1, (byte) ' ');
    out[BASE_HEADER_BYTES - 1] = '\n';
    return out;
  }

  /**
   * A token bucket shared by every upload: each chunk reserves its bytes and waits until the
   * bucket has paid them off. At most one second of burst. Rate 0 = disabled.
   */
  static final class RateGate {
    private final long rate;
    private double tokens;
    private long last = System.nanoTime();

    RateGate(long bytesPerSecond) {
      this.rate = bytesPerSecond;
      this.tokens = bytesPerSecond;
    }

    boolean enabled() {
      return rate > 0;
    }

    /** Takes {@code n} bytes' worth (possibly into debt); returns how long to wait, in ns. */
    synchronized long reserve(long n) {
      long now = System.nanoTime();
      tokens = Math.min(rate, tokens + (now - last) * (double) rate / 1e9);
      last = now;
      tokens -= n;
      return tokens >= 0 ? 0 : (long) (-tokens * 1e9 / rate);
    }
  }
}
