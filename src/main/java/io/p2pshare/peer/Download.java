package io.p2pshare.peer;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.ManifestResponse;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.transfer.FileEntry;
import io.p2pshare.transfer.Origin;
import io.p2pshare.transfer.PieceHasher;
import io.p2pshare.transfer.TransferClient;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * One verified download: finds holders (or takes them from the request), gets the piece hashes
 * (the search's SHA-256 for a one-piece file, else a manifest), resumes from verified pieces of
 * an earlier attempt, fetches pieces from up to {@code maxSources} sources in parallel into
 * {@code <name>.part}, verifies them, re-fetches a bad piece elsewhere and drops the bad source,
 * then publishes the file under its final name (never replacing an existing one) and tells the
 * catalog. A source without manifests (base v1) gets one whole-file fetch with a size check.
 *
 * <p>Two transfer paths: a file up to {@link #SMALL_FILE} with a known hash is fetched into
 * memory, verified, written and renamed in one blocking step over a pooled connection
 * ({@link PieceTransfers#small}); anything larger goes piece by piece, each source's pieces over
 * one pipelined connection ({@link SourceLane}). With several sources every piece is checked
 * against its manifest hash as it lands; with one, its pieces arrive in file order and are
 * hashed once, into the whole-file hash only, and a whole-file mismatch re-hashes them from disk
 * to find the bad ones ({@link Rechecked}). Blocking file work runs on the blocking-IO
 * dispatcher; this actor only decides. A BUSY source is asked again with backoff;
 * {@code --max-download-rate} paces piece starts.
 */
public final class Download extends AbstractBehavior<Download.Command> {

  public sealed interface Command
      permits Found, Prepared, SmallDone, ManifestDone, Ready, PieceDone, SpanDone, WholeDone, Published,
          Rechecked, Retry, StartPiece {}

  /** What to fetch. {@code holders}/{@code meta} null: ask the index. */
  public record Request(
      String fileName, Path targetDir, Origin origin, String transferType,
      List<PeerAddress> holders, FileMeta meta) {
    public static Request obtain(String fileName, Path dir) {
      return new Request(fileName, dir, Origin.DOWNLOADED, MessageType.OBTAIN_REQUEST, null, null);
    }
  }

  /** What it needs from its surroundings. {@code catalog} may be null (one-shot get). */
  public record Deps(
      ActorRef<IndexClient.Command> index, ActorRef<Catalog.Command> catalog,
      PieceTransfers transfers, Executor blocking, String selfPeerId, int maxSources,
      long pieceSize, Duration searchTimeout) {}

  /** Sent to the requester: progress now and then, then exactly one Finished or Failed. */
  public sealed interface Event permits Progress, Finished, Failed {
    long id();
  }

  public record Progress(long id, String fileName, long bytes, long total) implements Event {}

  public record Finished(
      long id, String fileName, Path path, long size, String sha256, List<String> sources,
      double seconds, long resumedBytes, long fetchedBytes) implements Event {}

  /** {@code code}: NOT_FOUND, VERIFY_FAILED, EXISTS, UNAVAILABLE, IO. */
  public record Failed(long id, String fileName, String code, String error) implements Event {}

  private record Found(IndexClient.SearchReply reply, Throwable failure) implements Command {}

  private record Prepared(Existing existing, PartFile.Header resumed, BitSet verified, Throwable failure)
      implements Command {}

  private enum Existing { ABSENT, SAME, DIFFERENT }

  private record ManifestDone(int source, ManifestResponse manifest, Throwable failure) implements Command {}

  private record Ready(Throwable failure) implements Command {}

  private record PieceDone(int source, int index, PieceTransfers.Piece piece, Throwable failure)
      implements Command {}

  /**
   * A span of pieces {@code first..last} from one source ended: the first {@code handed} were
   * reported as {@link PieceDone}s; {@code failure} (null when all were) says why the rest were not.
   */
  private record SpanDone(int source, int first, int last, int handed, Throwable failure) implements Command {}

  private record WholeDone(int source, PieceTransfers.Whole whole, Throwable failure) implements Command {}

  private record Published(FileEntry entry, Throwable failure) implements Command {}

  /**
   * The whole-file hash did not match and the unchecked pieces were re-hashed from disk against
   * their piece hashes: {@code good} ones are verified now, {@code bad} ones go back.
   */
  private record Rechecked(BitSet good, BitSet bad) implements Command {}

  /** A rate-limited piece whose time has come. */
  private record StartPiece(int source, int index) implements Command {}

  /** A source that answered BUSY may be asked again. */
  private record Retry(int source) implements Command {}

  /** Pieces requested at once from one source. */
  static final int PIECES_PER_SOURCE = 2;

  /**
   * With one usable source, the pieces still to fetch go as one range request per consecutive
   * run ({@link PieceTransfers#span}) instead of a request per piece. Off (for tests of the
   * piece path) with {@code -Dp2p.download.no-span=true}.
   */
  static volatile boolean spansEnabled = !Boolean.getBoolean("p2p.download.no-span");

  /** How often a BUSY source is asked again before it counts as unusable. */
  static final int MAX_BUSY_RETRIES = 20;

  private record SmallDone(int source, PieceTransfers.Small result, Throwable failure) implements Command {}

  /** Files up to this size with a known hash take the one-step in-memory path. */
  static final long SMALL_FILE = 1024 * 1024;

  private final TimerScheduler<Command> timers;
  private int busyRetries;
  /** Sources waiting out a BUSY reply: no new pieces for them until their Retry. */
  private boolean[] cooling;
  private boolean publishing;
  /** A span task is running (pieces are reported by it; no other piece starts meanwhile). */
  private boolean spanning;
  private final long id;
  private final Request req;
  private final Deps deps;
  private final ActorRef<Event> replyTo;
  private final PartFile files;
  private final long startNanos = System.nanoTime();
  private FileMeta meta;
  private List<PeerAddress> sources = List.of();
  private boolean[] bad;
  private CompletionStage<TransferClient>[] clients = newClients(0);
  /** Each source's pipelined connection for pieces, opened on first use. */
  private SourceLane[] lanes = new SourceLane[0];
  /** Which source served each unchecked piece (to blame if the whole-file check fails). */
  private int[] servedBy = new int[0];
  /** Pieces requested from each source and not answered yet (pipelined on its connection). */
  private int[] inFlight;
  private final Set<String> usedSources = new LinkedHashSet<>();
  private PiecePlan plan;
  /** The whole file's hash, built as pieces land (null for one-piece files). */
  private FileDigest whole;
  private boolean useRecord;
  private long resumedBytes;
  private long fetchedBytes;
  private int manifestTry;
  private String lastProblem;
  private boolean anyCorrupt;
  /** IO failures per source (connection resets and the like), against {@link #IO_RETRIES}. */
  private int[] ioFailures = new int[0];
  /** Set when our own disk failed: no new pieces start, and this is the outcome. */
  private Failed localFailure;
  /** Cuts this download's blocking transfers when it stops. */
  private final PieceTransfers.Abort abort = new PieceTransfers.Abort();
  /** Connection failures forgiven per source before it is dropped. */
  static final int IO_RETRIES = 2;

  public static Behavior<Command> create(long id, Request req, Deps deps, ActorRef<Event> replyTo) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new Download(ctx, timers, id, req, deps, replyTo)));
  }

  private Download(ActorContext<Command> ctx, TimerScheduler<Command> timers, long id, Request req,
      Deps deps, ActorRef<Event> replyTo) {
    super(ctx);
    this.timers = timers;
    this.id = id;
    this.req = req;
    this.deps = deps;
    this.replyTo = replyTo;
    this.files = new PartFile(req.targetDir(), req.fileName());
    if (req.holders() != null && !req.holders().isEmpty()) {
      useSources(req.meta(), req.holders());
    } else {
      ctx.ask(IndexClient.SearchReply.class, deps.index(), deps.searchTimeout(),
          ref -> new IndexClient.Search(SearchQuery.exact(req.fileName()), ref), Found::new);
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Found.class, this::onFound)
        .onMessage(Prepared.class, this::onPrepared)
        .onMessage(SmallDone.class, this::onSmall)
        .onMessage(ManifestDone.class, this::onManifest)
        .onMessage(Ready.class, this::onReady)
        .onMessage(PieceDone.class, this::onPiece)
        .onMessage(SpanDone.class, this::onSpanDone)
        .onMessage(WholeDone.class, this::onWhole)
        .onMessage(Published.class, this::onPublished)
        .onMessage(Rechecked.class, this::onRechecked)
        .onMessage(Retry.class, this::onRetry)
        .onMessage(StartPiece.class, this::onStartPiece)
        .onSignal(PostStop.class, sig -> onPostStop())
        .build();
  }

  // ---- 1. who has it ----

  private Behavior<Command> onFound(Found f) {
    if (f.failure() != null) {
      return fail("UNAVAILABLE", "index did not answer: " + f.failure().getMessage());
    }
    IndexClient.SearchReply r = f.reply();
    if (!r.ok()) {
      return fail(r.error() != null && r.error().contains("NOT_FOUND") ? "NOT_FOUND" : "UNAVAILABLE",
          "search failed: " + r.error());
    }
    List<io.p2pshare.protocol.SearchResult> results =
        r.response().results() == null ? List.of() : r.response().results();
    if (req.meta() != null && req.meta().sha256() != null) {
      // A particular version was asked for (a replication task): only its holders will do.
      results = results.stream().filter(x -> x.meta() != null
          && req.meta().sha256().equalsIgnoreCase(x.meta().sha256())).toList();
    }
    Holders.Choice c = Holders.choose(results, deps.selfPeerId(), deps.maxSources(), (int) id);
    if (c.sources().isEmpty()) {
      return fail("NOT_FOUND", "no live peer holds '" + req.fileName() + "'");
    }
    return useSources(c.meta(), c.sources());
  }

  private Behavior<Command> useSources(FileMeta m, List<PeerAddress> holders) {
    this.meta = m == null ? FileMeta.EMPTY : m;
    this.sources = List.copyOf(holders.subList(0, Math.min(deps.maxSources(), holders.size())));
    this.bad = new boolean[sources.size()];
    this.clients = newClients(sources.size());
    this.lanes = new SourceLane[sources.size()];
    this.inFlight = new int[sources.size()];
    this.cooling = new boolean[sources.size()];
    this.ioFailures = new int[sources.size()];
    String sha = meta.sha256();
    Long size = meta.sizeBytes();
    long pieceSize = deps.pieceSize();
    if (sha != null && size != null && size <= SMALL_FILE && size <= pieceSize) {
      return fetchSmall(0);
    }
    PartFile pf = files;
    getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> {
      try {
        return prepare(pf, sha, size, pieceSize);
      } catch (IOException e) {
        throw new CompletionException(e);
      }
    }, deps.blocking()), (p, err) -> err != null ? new Prepared(null, null, null, err) : p);
    return this;
  }

  /** Blocking: is the name taken, and is there an earlier attempt to resume? */
  private static Prepared prepare(PartFile pf, String sha, Long size, long pieceSize) throws IOException {
    Files.createDirectories(pf.target().getParent());
    if (Files.exists(pf.target())) {
      boolean same = sha != null && Files.size(pf.target()) == (size == null ? -1 : size)
          && PieceHasher.hash(pf.target(), pieceSize).sha256().equalsIgnoreCase(sha);
      return new Prepared(same ? Existing.SAME : Existing.DIFFERENT, null, null, null);
    }
    var loaded = pf.load();
    if (loaded.isPresent() && sha != null && size != null
        && sha.equalsIgnoreCase(loaded.get().header().sha256()) && loaded.get().header().size() == size) {
      PartFile.Header h = loaded.get().header();
      // Verified or only written before the stop: every listed piece is re-hashed, none trusted.
      BitSet ok = PieceTransfers.reverify(pf.part(),
          new PieceTransfers.PiecePlanSpec(h.size(), h.pieceSize(), h.pieces()), loaded.get().listed());
      return new Prepared(Existing.ABSENT, h, ok, null);
    }
    Files.deleteIfExists(pf.part());
    pf.deleteRecord();
    return new Prepared(Existing.ABSENT, null, new BitSet(), null);
  }

  // ---- small files: one step ----

  private Behavior<Command> fetchSmall(int from) {
    int s = from;
    while (s < sources.size() && bad[s]) {
      s++;
    }
    if (s >= sources.size()) {
      return fail(anyCorrupt ? "VERIFY_FAILED" : "UNAVAILABLE",
          "no usable source left for '" + req.fileName() + "': " + lastProblem);
    }
    int src = s;
    PeerAddress addr = sources.get(s);
    PieceTransfers t = deps.transfers();
    PartFile pf = files;
    long size = meta.sizeBytes();
    String sha = meta.sha256();
    long pieceSize = deps.pieceSize();
    String type = req.transferType();
    getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> {
      try {
        PieceTransfers.Small r = t.small(addr, type, pf, size, sha, pieceSize, abort);
        // the catalog keys a file by its mtime too
        return r instanceof PieceTransfers.Published p ? p.withMtime() : r;
      } catch (IOException e) {
        throw new CompletionException(e);
      }
    }, deps.blocking()), (r, err) -> new SmallDone(src, r, err));
    return this;
  }

  /** The process's metrics (exported with --metrics-port). */
  private io.p2pshare.metrics.Metrics metrics() {
    return io.p2pshare.metrics.NodeMetrics.of(getContext().getSystem());
  }

  private void received(long bytes) {
    fetchedBytes += bytes;
    metrics().bytesReceived(bytes);
  }

  private Behavior<Command> onSmall(SmallDone d) {
    PeerAddress src = sources.get(d.source());
    if (d.failure() != null && isBusy(d.failure()) && busyRetries < MAX_BUSY_RETRIES) {
      busyRetries++;
      timers.startSingleTimer(new Retry(-1 - d.source()), backoff());
      return this;
    }
    if (d.failure() != null && unwrap(d.failure()) instanceof PieceTransfers.LocalIO local) {
      return fail("IO", local.getMessage()); // our disk: no source would do better
    }
    if (d.failure() != null) {
      metrics().transferError("io");
      lastProblem = root(d.failure());
      if (forgivable(d.source())) {
        getContext().getLog().info("{}: fetch from {} failed ({}); asking it again", req.fileName(),
            src.peerId(), lastProblem);
        timers.startSingleTimer(new Retry(-1 - d.source()), backoff());
        return this;
      }
      bad[d.source()] = true;
      getContext().getLog().warn("{}: fetch from {} failed ({})", req.fileName(), src.peerId(), lastProblem);
      return fetchSmall(d.source() + 1);
    }
    PieceTransfers.Small r = d.result();
    if (r instanceof PieceTransfers.AlreadyThere) {
      replyTo.tell(new Finished(id, req.fileName(), files.target(), meta.sizeOrZero(), meta.sha256(),
          List.of(), seconds(), meta.sizeOrZero(), 0));
      return Behaviors.stopped();
    }
    if (r instanceof PieceTransfers.Taken) {
      return fail("EXISTS", files.target() + " exists and is not this file; not overwritten");
    }
    received(meta.sizeOrZero());
    if (r instanceof PieceTransfers.BadBytes) {
      metrics().transferError("verify");
      bad[d.source()] = true;
      anyCorrupt = true;
      lastProblem = "bytes from " + src.peerId() + " failed SHA-256 verification";
      getContext().getLog().warn("{}: {}; trying another source", req.fileName(), lastProblem);
      return fetchSmall(d.source() + 1);
    }
    PieceTransfers.Published p = (PieceTransfers.Published) r;
    usedSources.add(src.peerId());
    FileEntry e = new FileEntry(req.fileName(), p.path(), req.origin(), meta.sizeOrZero(), p.mtimeMs(),
        meta.sha256(), deps.pieceSize(), List.of(meta.sha256()));
    if (deps.catalog() != null) {
      deps.catalog().tell(new Catalog.AddKnown(e));
    }
    replyTo.tell(new Finished(id, req.fileName(), p.path(), e.size(), e.sha256(),
        List.copyOf(usedSources), seconds(), 0, fetchedBytes));
    return Behaviors.stopped();
  }

  // ---- 2. what the pieces are ----

  private Behavior<Command> onPrepared(Prepared p) {
    if (p.failure() != null) {
      return fail("IO", "cannot prepare " + files.part() + ": " + root(p.failure()));
    }
    if (p.existing() == Existing.SAME) {
      getContext().getLog().info("{} already present and verified at {}", req.fileName(), files.target());
      replyTo.tell(new Finished(id, req.fileName(), files.target(), meta.sizeOrZero(), meta.sha256(),
          List.of(), seconds(), meta.sizeOrZero(), 0));
      return Behaviors.stopped();
    }
    if (p.existing() == Existing.DIFFERENT) {
      return fail("EXISTS", files.target() + " exists and is not this file; not overwritten");
    }
    if (p.resumed() != null) {
      PartFile.Header h = p.resumed();
      plan = new PiecePlan(h.size(), h.pieceSize(), h.pieces(), p.verified());
      startWholeDigest();
      useRecord = true;
      resumedBytes = plan.verifiedBytes();
      getContext().getLog().info("{}: resuming, {} of {} pieces already verified ({} bytes)",
          req.fileName(), p.verified().cardinality(), plan.pieces(), resumedBytes);
      return pump();
    }
    if (meta.sha256() != null && meta.sizeBytes() != null && meta.sizeBytes() <= deps.pieceSize()) {
      // One piece: its hash is the file's hash, no manifest round trip needed.
      plan = new PiecePlan(meta.sizeBytes(), deps.pieceSize(), List.of(meta.sha256()), new BitSet());
      return pump();
    }
    return askManifest();
  }

  private Behavior<Command> askManifest() {
    while (manifestTry < sources.size() && bad[manifestTry]) {
      manifestTry++;
    }
    if (manifestTry >= sources.size()) {
      return fail("UNAVAILABLE", "no source sent a usable manifest: " + lastProblem);
    }
    int s = manifestTry;
    String name = req.fileName();
    PeerAddress src = sources.get(s);
    PieceTransfers t = deps.transfers();
    getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> {
      try {
        return t.manifest(src, name);
      } catch (IOException e) {
        throw new CompletionException(e);
      }
    }, deps.blocking()), (m, err) -> new ManifestDone(s, m, err));
    return this;
  }

  private Behavior<Command> onManifest(ManifestDone m) {
    if (m.failure() != null) {
      Throwable cause = unwrap(m.failure());
      if ("NOT_FOUND".equals(refusedCode(cause))) {
        bad[m.source()] = true;
        lastProblem = cause.getMessage();
        manifestTry++;
        return askManifest();
      }
      // A base v1 source: no manifests, no ranges. One whole-file stream, size (and hash) checked.
      getContext().getLog().info("{}: {} has no manifest ({}); whole-file fetch", req.fileName(),
          sources.get(m.source()).peerId(), root(cause));
      return fetchWhole(m.source());
    }
    ManifestResponse man = m.manifest();
    boolean consistent = man.fileSize() != null && man.pieceSize() != null && man.pieces() != null
        && man.sha256() != null
        && (meta.sha256() == null || meta.sha256().equalsIgnoreCase(man.sha256()))
        && (meta.sizeBytes() == null || meta.sizeBytes().equals(man.fileSize()));
    if (consistent) {
      try {
        plan = new PiecePlan(man.fileSize(), man.pieceSize(), man.pieces(), new BitSet());
      } catch (IllegalArgumentException e) {
        consistent = false;
      }
    }
    if (!consistent) {
      bad[m.source()] = true;
      lastProblem = "manifest from " + sources.get(m.source()).peerId() + " does not match the index";
      manifestTry++;
      return askManifest();
    }
    meta = new FileMeta(man.fileSize(), man.sha256());
    startWholeDigest();
    useRecord = plan.pieces() > 1;
    if (!useRecord) {
      return pump();
    }
    PartFile.Header h = new PartFile.Header(req.fileName(), man.fileSize(), man.sha256(),
        man.pieceSize(), man.pieces());
    PartFile pf = files;
    getContext().pipeToSelf(CompletableFuture.runAsync(() -> {
      try {
        pf.writeHeader(h);
      } catch (IOException e) {
        throw new CompletionException(e);
      }
    }, deps.blocking()), (ok, err) -> new Ready(err));
    return this;
  }

  private Behavior<Command> onReady(Ready r) {
    if (r.failure() != null) {
      return fail("IO", "cannot write " + files.record() + ": " + root(r.failure()));
    }
    return pump();
  }

  // ---- 3. pieces ----

  /** Gives every idle good source a piece; finishes or fails when nothing is left to do. */
  private Behavior<Command> pump() {
    if (publishing) {
      return this;
    }
    if (localFailure != null) {
      return plan.idle() ? fail(localFailure.code(), localFailure.error()) : this;
    }
    if (!spanning && !trySpan()) {
      roundRobin();
    }
    if (plan.done() && plan.idle()) {
      return publish();
    }
    if (spanning) {
      return this; // pieces may wait for the span's end (the next run starts then)
    }
    boolean anyCooling = false;
    for (boolean c : cooling) {
      anyCooling |= c;
    }
    if (plan.idle() && !anyCooling) {
      return fail(anyCorrupt ? "VERIFY_FAILED" : "UNAVAILABLE",
          "no usable source left for '" + req.fileName() + "': " + lastProblem);
    }
    return this;
  }

  /** Round robin, up to PIECES_PER_SOURCE each: the next request is queued before a piece ends. */
  private void roundRobin() {
    boolean gave = true;
    while (gave) {
      gave = false;
      for (int s = 0; s < sources.size(); s++) {
        if (bad[s] || cooling[s] || inFlight[s] >= PIECES_PER_SOURCE) {
          continue;
        }
        int i = plan.take();
        if (i < 0) {
          gave = false;
          break;
        }
        startPiece(s, i);
        gave = true;
      }
    }
  }

  /**
   * With exactly one usable source, nothing in flight and a whole-file hash to prove the pieces:
   * the next consecutive run of waiting pieces as one span. False if the piece path applies.
   */
  private boolean trySpan() {
    if (!spansEnabled || whole == null || !plan.idle() || usableSources() != 1) {
      return false;
    }
    int s = 0;
    while (bad[s]) {
      s++;
    }
    if (cooling[s]) {
      return false;
    }
    int first = plan.take();
    if (first < 0) {
      return false;
    }
    int last = first;
    for (int i = plan.take(); i >= 0; i = plan.take()) {
      if (i != last + 1) {
        plan.giveBack(i); // the next run, after this one
        break;
      }
      last = i;
    }
    spanning = true;
    inFlight[s] += last - first + 1;
    launchSpan(s, first, last);
    return true;
  }

  private void launchSpan(int s, int first, int last) {
    FetchTask f = fetchTask(s);
    PieceTransfers.PiecePlanSpec spec = plan.spec();
    ActorRef<Command> self = getContext().getSelf();
    CompletionStage<Integer> span = CompletableFuture.supplyAsync(() -> {
      try {
        PieceTransfers t = f.transfers();
        return t.span(f.lane(), f.src(), f.type(), f.name(), spec, first, last, f.files().part(),
            f.whole(), true, abort, t.limiter(), p -> {
              f.recordPiece(p, spec.pieces().get(p.index()));
              self.tell(new PieceDone(s, p.index(), p, null));
            });
      } catch (IOException e) {
        throw new CompletionException(e);
      }
    }, deps.blocking());
    getContext().pipeToSelf(span, (n, err) -> {
      Throwable cause = err == null ? null : unwrap(err);
      int handed = n != null ? n
          : cause instanceof PieceTransfers.SpanCut cut ? cut.handed() : 0;
      Throwable why = cause instanceof PieceTransfers.SpanCut cut && cut.getCause() != null
          ? cut.getCause() : cause;
      return new SpanDone(s, first, last, handed, why);
    });
  }

  /**
   * The span's pieces not reported go back: the first carries the failure through the piece
   * path's rules (retry, BUSY backoff, dropping the source), the others simply return.
   */
  private Behavior<Command> onSpanDone(SpanDone d) {
    spanning = false;
    int s = d.source();
    int rest = d.first() + d.handed();
    if (rest > d.last()) {
      return pump();
    }
    int from = d.failure() != null && !bad[s] ? rest + 1 : rest;
    for (int i = d.last(); i >= from; i--) { // back to the queue's front in file order
      inFlight[s]--;
      plan.giveBack(i);
    }
    return from > rest ? onPiece(new PieceDone(s, rest, null, d.failure())) : pump();
  }

  private void startPiece(int s, int i) {
    inFlight[s]++;
    long wait = deps.transfers().limiter().reserve(plan.length(i));
    if (wait > 0) {
      // --max-download-rate: this piece's bytes are paid for; start it when they are due.
      timers.startSingleTimer(new StartPiece(s, i), Duration.ofNanos(wait));
    } else {
      launchPiece(s, i);
    }
  }

  private Behavior<Command> onStartPiece(StartPiece sp) {
    launchPiece(sp.source(), sp.index());
    return this;
  }

  private void launchPiece(int s, int i) {
    FetchTask f = fetchTask(s);
    long ticket = f.lane().ticket(); // launch order = request order on the connection
    // One usable source: its pieces arrive in file order and the whole-file hash, checked
    // before the rename, proves them; a piece is then hashed once, not twice. With several
    // sources each piece is checked on its own, so a bad source shows at once.
    boolean trustWhole = usableSources() == 1;
    long off = plan.offset(i);
    long len = plan.length(i);
    String expected = plan.hash(i);
    long fileSize = plan.size();
    CompletionStage<PieceTransfers.Piece> piece = CompletableFuture.supplyAsync(() -> {
      try {
        PieceTransfers.Piece r = f.transfers().piece(f.lane(), ticket, f.src(), f.type(), f.name(),
            i, off, len, fileSize, expected, f.files().part(), f.whole(), trustWhole, abort);
        f.recordPiece(r, expected);
        return r;
      } catch (IOException e) {
        throw new CompletionException(e);
      }
    }, deps.blocking());
    getContext().pipeToSelf(piece, (p, err) -> new PieceDone(s, i, p, err));
  }

  /**
   * What a blocking task fetching from one source needs of this actor, read on the actor's
   * thread: the task itself must not touch the actor's fields.
   */
  private record FetchTask(SourceLane lane, PeerAddress src, String type, String name,
      PieceTransfers transfers, FileDigest whole, PartFile files, boolean record) {
    /**
     * The resume record's line for a piece that landed (with {@code record}): written but
     * unchecked (a resume re-hashes it), or verified; nothing for a bad one. Blocking IO.
     */
    void recordPiece(PieceTransfers.Piece p, String expected) throws IOException {
      if (!record) {
        return;
      }
      if (p.sha256() == null) {
        files.appendWritten(p.index());
      } else if (p.sha256().equalsIgnoreCase(expected)) {
        files.appendVerified(p.index());
      }
    }
  }

  private FetchTask fetchTask(int s) {
    return new FetchTask(lane(s), sources.get(s), req.transferType(), req.fileName(),
        deps.transfers(), whole, files, useRecord);
  }

  private SourceLane lane(int s) {
    if (lanes[s] == null) {
      lanes[s] = deps.transfers().lane(sources.get(s));
    }
    return lanes[s];
  }

  private int usableSources() {
    int n = 0;
    for (boolean b : bad) {
      n += b ? 0 : 1;
    }
    return n;
  }

  /** The persistent connection to source {@code s}, opened on first use. */
  private CompletionStage<TransferClient> client(int s) {
    if (clients[s] == null) {
      PeerAddress src = sources.get(s);
      clients[s] = TransferClient.connect(getContext().getSystem(), src.host(), src.port(),
          deps.selfPeerId() == null ? "get" : deps.selfPeerId());
    }
    return clients[s];
  }

  private void dropClient(int s) {
    CompletionStage<TransferClient> c = clients[s];
    clients[s] = null;
    if (c != null) {
      c.thenAccept(TransferClient::close);
    }
  }

  private Behavior<Command> onPostStop() {
    abort.abort();
    for (int s = 0; s < clients.length; s++) {
      dropClient(s);
    }
    for (SourceLane l : lanes) {
      if (l != null) {
        l.close();
      }
    }
    return this;
  }

  private Behavior<Command> onPiece(PieceDone d) {
    inFlight[d.source()]--;
    PeerAddress src = sources.get(d.source());
    if (d.failure() != null && unwrap(d.failure()) instanceof SourceLane.Collateral) {
      plan.giveBack(d.index()); // lost with a connection an earlier piece broke (counted there)
      return pump();
    }
    if (d.failure() != null && isBusy(d.failure()) && busyRetries < MAX_BUSY_RETRIES) {
      plan.giveBack(d.index());
      busyRetries++;
      if (!cooling[d.source()]) {
        cooling[d.source()] = true; // no new pieces for it until the retry
        timers.startSingleTimer(new Retry(d.source()), backoff());
      }
      return pump();
    }
    if (d.failure() != null && unwrap(d.failure()) instanceof PieceTransfers.LocalIO local) {
      plan.giveBack(d.index());
      return failWhenIdle("IO", local.getMessage()); // our disk: no source would do better
    }
    if (d.failure() != null && forgivable(d.source())) {
      metrics().transferError("io");
      plan.giveBack(d.index());
      lastProblem = root(d.failure());
      getContext().getLog().info("{}: piece {} from {} failed ({}); asking it again", req.fileName(),
          d.index(), src.peerId(), lastProblem);
      if (!cooling[d.source()]) {
        cooling[d.source()] = true;
        timers.startSingleTimer(new Retry(d.source()), backoff());
      }
      return pump();
    }
    if (d.failure() != null) {
      metrics().transferError("io");
      plan.giveBack(d.index());
      bad[d.source()] = true;
      dropClient(d.source());
      lastProblem = root(d.failure());
      getContext().getLog().warn("{}: piece {} from {} failed ({}); dropping that source",
          req.fileName(), d.index(), src.peerId(), lastProblem);
      return pump();
    }
    received(d.piece().bytes());
    if (d.piece().sha256() == null) {
      plan.wrote(d.index()); // checked with the whole file before the rename
      servedBy[d.index()] = d.source();
    } else if (!plan.complete(d.index(), d.piece().sha256())) {
      metrics().transferError("verify");
      bad[d.source()] = true;
      anyCorrupt = true;
      lastProblem = "piece " + d.index() + " from " + src.peerId() + " failed SHA-256 verification";
      getContext().getLog().warn("{}: {}; dropping that source and fetching the piece elsewhere",
          req.fileName(), lastProblem);
      return pump();
    }
    usedSources.add(src.peerId());
    if (plan.pieces() > 1) {
      replyTo.tell(new Progress(id, req.fileName(), plan.doneBytes(), meta.sizeOrZero()));
    }
    return pump();
  }

  private Behavior<Command> onRetry(Retry r) {
    if (r.source() < 0) {
      return fetchSmall(-1 - r.source()); // the small path: ask the same source again
    }
    cooling[r.source()] = false;
    return pump();
  }

  /**
   * A connection failure (reset, closed, timed out) may pass: each source gets
   * {@link #IO_RETRIES} more chances before it is dropped. Bad bytes never get one.
   */
  private boolean forgivable(int s) {
    return ++ioFailures[s] <= IO_RETRIES;
  }

  /** Stops once the pieces still in flight have reported (their tasks write the same file). */
  private Behavior<Command> failWhenIdle(String code, String why) {
    localFailure = new Failed(id, req.fileName(), code, why);
    return pump();
  }

  private static boolean isBusy(Throwable t) {
    return "BUSY".equals(refusedCode(unwrap(t)));
  }

  /** The wire error code of a refusal (either transfer path), else null. */
  private static String refusedCode(Throwable t) {
    if (t instanceof TransferClient.Refused r) {
      return r.code();
    }
    if (t instanceof PieceTransfers.Refused r) {
      return r.code();
    }
    return null;
  }

  private Duration backoff() {
    return Duration.ofMillis(Math.min(2000, 50L * (1L << Math.min(busyRetries, 6))));
  }

  // ---- base v1 whole-file fallback ----

  private Behavior<Command> fetchWhole(int s) {
    Path part = files.part();
    String type = req.transferType();
    String name = req.fileName();
    getContext().pipeToSelf(client(s).thenCompose(c -> c.fetchWhole(type, name, part))
            .thenApply(r -> new PieceTransfers.Whole(r.bytes(), r.sha256())),
        (w, err) -> new WholeDone(s, w, err));
    return this;
  }

  private Behavior<Command> onWhole(WholeDone w) {
    PeerAddress src = sources.get(w.source());
    String problem = null;
    if (w.failure() != null) {
      problem = root(w.failure());
    } else if (meta.sizeBytes() != null && w.whole().size() != meta.sizeBytes()) {
      problem = src.peerId() + " sent " + w.whole().size() + " bytes, the index says " + meta.sizeBytes();
    } else if (meta.sha256() != null && !meta.sha256().equalsIgnoreCase(w.whole().sha256())) {
      problem = "file from " + src.peerId() + " failed SHA-256 verification";
      anyCorrupt = true;
    }
    if (problem != null) {
      bad[w.source()] = true;
      lastProblem = problem;
      getContext().getLog().warn("{}: {}", req.fileName(), problem);
      for (int s = 0; s < sources.size(); s++) {
        if (!bad[s]) {
          return fetchWhole(s);
        }
      }
      return fail(anyCorrupt ? "VERIFY_FAILED" : "UNAVAILABLE", problem);
    }
    received(w.whole().size());
    usedSources.add(src.peerId());
    meta = new FileMeta(w.whole().size(), w.whole().sha256());
    plan = null;
    return publish();
  }

  /**
   * The whole-file hash for a multi-piece plan (one piece: its hash is the file's hash). Pieces
   * resumed from disk are hashed from the .part at the end with whatever did not stream in.
   */
  private void startWholeDigest() {
    whole = plan.pieces() <= 1 ? null : new FileDigest(files.part(), plan.size());
    servedBy = new int[plan.pieces()];
  }

  /** The downloaded bytes' SHA-256 (the message) differs from the index's. */
  private static final class WrongWholeFile extends IOException {
    WrongWholeFile(String sha) {
      super(sha, null);
    }
  }

  // ---- 4. publish ----

  private Behavior<Command> publish() {
    publishing = true;
    PartFile pf = files;
    long pieceSize = deps.pieceSize();
    PieceTransfers.PiecePlanSpec spec = plan != null ? plan.spec() : null;
    List<String> pieces = spec != null ? spec.pieces() : null;
    long size = meta.sizeOrZero();
    String sha = meta.sha256();
    Origin origin = req.origin();
    String name = req.fileName();
    FileDigest wd = whole;
    BitSet unchecked = plan != null ? plan.unchecked() : new BitSet();
    boolean record = useRecord;
    getContext().pipeToSelf(CompletableFuture.<Command>supplyAsync(() -> {
      try {
        if (wd != null && sha != null) {
          String got = wd.finish();
          if (!got.equalsIgnoreCase(sha) && !unchecked.isEmpty()) {
            // Some pieces were taken on trust of this very check: which of them are bad?
            BitSet good = PieceTransfers.reverify(pf.part(), spec, unchecked);
            BitSet badOnes = (BitSet) unchecked.clone();
            badOnes.andNot(good);
            if (!badOnes.isEmpty()) {
              if (record) {
                for (int i = good.nextSetBit(0); i >= 0; i = good.nextSetBit(i + 1)) {
                  pf.appendVerified(i);
                }
              }
              return new Rechecked(good, badOnes);
            }
          }
          if (!got.equalsIgnoreCase(sha)) {
            // Every piece matched its manifest, but the manifest described other bytes.
            Files.deleteIfExists(pf.part());
            pf.deleteRecord();
            throw new CompletionException(new WrongWholeFile(got));
          }
        }
        if (Files.size(pf.part()) > size) {
          try (var ch = java.nio.channels.FileChannel.open(pf.part(), java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(size);
          }
        }
        pf.publish();
        long mtime = Files.getLastModifiedTime(pf.target()).toMillis();
        List<String> ps = pieces;
        long psz = pieceSize;
        if (ps == null || ps.size() != PieceHasher.pieceCount(size, pieceSize)) {
          PieceHasher.Hashes h = PieceHasher.hash(pf.target(), pieceSize);
          ps = h.pieces();
        }
        return new Published(new FileEntry(name, pf.target(), origin, size, mtime, sha, psz, ps), null);
      } catch (IOException e) {
        throw new CompletionException(e);
      }
    }, deps.blocking()), (done, err) -> err != null ? new Published(null, err) : done);
    return this;
  }

  /**
   * The whole-file check failed and named the bad pieces taken on trust: their sources are
   * dropped, the pieces fetched again elsewhere, and the whole file hashed again at the end.
   */
  private Behavior<Command> onRechecked(Rechecked r) {
    publishing = false;
    plan.confirm(r.good());
    anyCorrupt = true;
    for (int i = r.bad().nextSetBit(0); i >= 0; i = r.bad().nextSetBit(i + 1)) {
      metrics().transferError("verify");
      plan.reject(i);
      int s = servedBy[i];
      if (!bad[s]) {
        bad[s] = true;
        usedSources.remove(sources.get(s).peerId());
        lastProblem = "piece " + i + " from " + sources.get(s).peerId() + " failed SHA-256 verification";
        getContext().getLog().warn("{}: the whole file's SHA-256 did not match; {}; dropping that source"
            + " and fetching its bad pieces elsewhere", req.fileName(), lastProblem);
      }
    }
    startWholeDigest(); // a fresh hash: the refetched pieces land out of order, read back at the end
    return pump();
  }

  private Behavior<Command> onPublished(Published p) {
    if (p.failure() != null) {
      Throwable c = unwrap(p.failure());
      if (c instanceof WrongWholeFile w) {
        metrics().transferError("verify");
        return fail("VERIFY_FAILED", "every piece of '" + req.fileName() + "' matched the manifest from "
            + usedSources + ", but the file's SHA-256 is " + w.getMessage() + ", not " + meta.sha256()
            + " (the index's); discarded");
      }
      if (c instanceof FileAlreadyExistsException) {
        return fail("EXISTS", files.target() + " appeared meanwhile; not overwritten (kept "
            + files.part() + ")");
      }
      return fail("IO", "cannot publish " + files.target() + ": " + root(c));
    }
    if (deps.catalog() != null) {
      deps.catalog().tell(new Catalog.AddKnown(p.entry()));
    }
    double secs = seconds();
    getContext().getLog().debug("{}: {} bytes verified from {} in {}s (resumed {})",
        req.fileName(), p.entry().size(), usedSources, secs, resumedBytes);
    replyTo.tell(new Finished(id, req.fileName(), p.entry().path(), p.entry().size(),
        p.entry().sha256(), List.copyOf(usedSources), secs, resumedBytes, fetchedBytes));
    return Behaviors.stopped();
  }

  private Behavior<Command> fail(String code, String why) {
    getContext().getLog().info("{}: failed ({}): {}", req.fileName(), code, why);
    replyTo.tell(new Failed(id, req.fileName(), code, why));
    return Behaviors.stopped();
  }

  private double seconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  @SuppressWarnings("unchecked")
  private static CompletionStage<TransferClient>[] newClients(int n) {
    return new CompletionStage[n];
  }

  private static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof java.util.concurrent.ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  private static String root(Throwable t) {
    Throwable c = unwrap(t);
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }
}
