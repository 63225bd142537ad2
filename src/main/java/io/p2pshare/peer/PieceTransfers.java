package io.p2pshare.peer;

import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.ErrorReply;
import io.p2pshare.protocol.ManifestResponse;
import io.p2pshare.protocol.ProtocolException;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.protocol.TransferHeader;
import io.p2pshare.transfer.PieceHasher;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.BitSet;
import java.util.List;

/**
 * The blocking steps of a download (each runs as one task on the blocking-IO dispatcher and
 * reports back to its {@link Download} actor or to {@link GetClient}): the one-step path for
 * small files (fetch into memory, verify, write, rename), pipelined batches of them over one
 * pooled connection, pieces of larger files over a download's pipelined {@link SourceLane}s, and
 * re-verification of resumed pieces.
 */
public final class PieceTransfers {
  /** A reply with an error header (no body followed); the connection stays usable. */
  public static final class Refused extends IOException {
    private final String code;

    public Refused(String code, String message) {
      super(message, null);
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  /**
   * Our own disk failed (full, read-only, gone): not the source's fault, and no other source
   * would do better. The message says what could not be written.
   */
  public static final class LocalIO extends IOException {
    public LocalIO(String what, IOException cause) {
      super(what + ": " + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()), cause);
    }
  }

  /**
   * Lets a stopping download (cancelled, failed) cut its transfers still in flight on blocking
   * threads: their sockets are closed, so nothing keeps writing its files afterwards.
   */
  public static final class Abort {
    private final java.util.Set<SourceConnection> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean aborted;

    void enter(SourceConnection c) throws IOException {
      open.add(c);
      if (aborted) {
        open.remove(c);
        c.close();
        throw new IOException("download stopped");
      }
    }

    void leave(SourceConnection c) {
      open.remove(c);
    }

    boolean aborted() {
      return aborted;
    }

    public void abort() {
      aborted = true;
      for (SourceConnection c : open) {
        c.close();
      }
    }
  }

  /** A piece fetched into the .part file: its hash, to be checked by the actor. */
  public record Piece(int index, String sha256, long bytes) {}

  /** A whole file fetched (base v1 source): size and hash of what arrived. */
  public record Whole(long size, String sha256) {}

  private final SourcePool pool;
  private final RateLimiter limiter;

  public PieceTransfers(SourcePool pool, RateLimiter limiter) {
    this.pool = pool;
    this.limiter = limiter;
  }

  public RateLimiter limiter() {
    return limiter;
  }

  /** Outcome of the one-step small-file path. */
  public sealed interface Small permits Published, AlreadyThere, Taken, BadBytes {}

  /**
   * Fetched, verified and renamed: the file's final path and, once {@link #withMtime} read it,
   * its mtime (0 until then: one-shot gets have no catalog to tell, and a stat per small file is
   * a path lookup in a directory of thousands).
   */
  public record Published(Path path, long mtimeMs) implements Small {
    public Published withMtime() throws IOException {
      return new Published(path, Files.getLastModifiedTime(path).toMillis());
    }
  }

  /** The name holds this very content already. */
  public record AlreadyThere() implements Small {}

  /** The name holds something else: never overwritten. */
  public record Taken() implements Small {}

  /** The bytes did not match the hash (nothing written under the final name). */
  public record BadBytes(String sha256) implements Small {}

  /**
   * A file small enough to hold in memory, with a known hash: fetch, verify, write the .part,
   * rename, all in one blocking step (thousands of tiny files: one thread hop each, not four).
   */
  public Small small(PeerAddress src, String type, PartFile pf, long size, String sha256,
      long pieceSize) throws IOException {
    return small(src, type, pf, size, sha256, pieceSize, null);
  }

  /** As above; {@code abort} (may be null) can cut the transfer from another thread. */
  public Small small(PeerAddress src, String type, PartFile pf, long size, String sha256,
      long pieceSize, Abort abort) throws IOException {
    Path target = pf.target();
    Small there = existing(target, size, sha256, pieceSize);
    if (there != null) {
      return there;
    }
    String name = target.getFileName().toString();
    SourceConnection c = pool.borrow(src.host(), src.port());
    boolean clean = false;
    try {
      requestBody(c, abort, src, type, name, 0L, size);
      byte[] body = c.readBodyShared((int) size, limiter); // the connection's: used before giveBack
      clean = true;
      return keepIfVerified(pf, body, (int) size, sha256);
    } catch (Refused r) {
      clean = true; // an error header and no body: the connection stays usable
      throw r;
    } finally {
      giveBack(c, clean, abort);
    }
  }

  /** A connection lane to {@code src} for one download's pieces (see {@link SourceLane}). */
  SourceLane lane(PeerAddress src) {
    return new SourceLane(pool, src.host(), src.port());
  }

  /**
   * One piece of a larger file over {@code lane}, as its ticket {@code ticket} (taken in launch
   * order): the request goes out right after the earlier pieces' requests, the reply is read
   * after theirs, and the range is written into {@code part} at its offset. Its bytes are hashed
   * once. With {@code trustWhole} (one source: the whole-file hash will prove it), a piece that
   * lands where the whole-file hash stands feeds only that hash and comes back unchecked
   * ({@link Piece#sha256()} null). Any other piece gets its own SHA-256, for the caller to
   * compare; a good one also goes to {@code whole} (streamed when it can, else read back later).
   */
  public Piece piece(SourceLane lane, long ticket, PeerAddress src, String type, String name, int index,
      long offset, long length, long fileSize, String expected, Path part, FileDigest whole,
      boolean trustWhole, Abort abort) throws IOException {
    boolean clean = false;
    PieceHashes h = null;
    SourceConnection c = null;
    try {
      c = awaitRange(lane, ticket, type, name, offset, length, abort);
      checkHeader(c.readHeader(), src, length);
      h = new PieceHashes(whole, offset, trustWhole);
      PieceWriter out = PieceWriter.open(part, offset, length, fileSize);
      boolean written = false;
      try {
        c.readBody(length, out, h.own, h.wholeDigest, RateLimiter.UNLIMITED); // paced at the start
        clean = true;
        out.finish(true);
        written = true;
      } finally {
        if (!written) {
          out.finish(false);
        }
      }
      // Before the next ticket reads: it may then continue the whole-file hash from here.
      return h.done(index, length, expected);
    } catch (Refused r) {
      clean = true; // an error header and no body: the connection stays in step
      throw r;
    } finally {
      if (h != null) {
        h.release();
      }
      if (abort != null && c != null) {
        abort.leave(c);
      }
      lane.done(ticket, clean && (abort == null || !abort.aborted()));
    }
  }

  /** Told about each piece of a {@link #span} as it lands, on the span's thread, in file order. */
  public interface Landed {
    void piece(Piece p) throws IOException;
  }

  /**
   * Pieces {@code first..last} (consecutive) of one file from one source as a single range
   * request on {@code lane}: the source streams them as one body, which is cut into pieces here.
   * One request instead of one per piece: per request the serving peer starts a file stream and
   * both sides go through a header round, which for a 1 GiB file in 4 MiB pieces cost about
   * 0.35 s of its 1.4 s (bench/README.md). Each piece is hashed as in {@link #piece} (into the
   * whole-file hash only with {@code trustWhole}) and handed to {@code landed} once its bytes
   * are written; {@code landed} sees a bad piece too, after which the span stops. Returns the
   * number of pieces handed over; a failure after some pieces throws {@link SpanCut} saying how
   * many. Paced by {@code limiter} as it reads.
   */
  public int span(SourceLane lane, PeerAddress src, String type, String name, PiecePlanSpec spec,
      int first, int last, Path part, FileDigest whole, boolean trustWhole, Abort abort,
      RateLimiter limiter, Landed landed) throws IOException {
    long offset = spec.offset(first);
    long length = spec.offset(last) + spec.length(last) - offset;
    long ticket = lane.ticket();
    boolean clean = false;
    int handed = 0;
    SourceConnection c = null;
    try {
      c = awaitRange(lane, ticket, type, name, offset, length, abort);
      checkHeader(c.readHeader(), src, length);
      PieceWriter out = PieceWriter.open(part, offset, length, spec.size());
      boolean written = false;
      try {
        // The whole-file hash stands at the span's start (the usual case): the span's bytes go
        // into it through one hasher, with no pause at piece ends. Else each piece is hashed
        // on its own and checked.
        MessageDigest run = trustWhole && whole != null ? whole.claim(offset) : null;
        if (run != null) {
          handed = streamInto(c, out, run, spec, first, last, whole, offset, length, limiter, landed);
          written = true;
        } else {
          for (int i = first; i <= last; i++) {
            long off = spec.offset(i);
            long len = spec.length(i);
            PieceHashes h = new PieceHashes(whole, off, trustWhole);
            try {
              c.readBody(len, out, h.own, h.wholeDigest, limiter, true); // a span's lane has one ticket
              if (i == last) {
                out.finish(true); // the last bytes on disk before the last piece is reported
                written = true;
              }
              landed.piece(h.done(i, len, spec.pieces().get(i)));
              handed++;
              if (!h.good) {
                throw new IOException("piece " + i + " from " + src.peerId() + " failed SHA-256 verification");
              }
            } finally {
              h.release();
            }
          }
        }
        clean = true;
      } finally {
        if (!written) {
          out.finish(false);
        }
      }
      return handed;
    } catch (Refused r) {
      clean = true; // an error header and no body: the connection stays in step
      throw new SpanCut(handed, r);
    } catch (SpanCut cut) {
      throw cut;
    } catch (IOException e) {
      throw new SpanCut(handed, e);
    } finally {
      if (abort != null && c != null) {
        abort.leave(c);
      }
      lane.done(ticket, clean && (abort == null || !abort.aborted()));
    }
  }

  /**
   * A span's bytes into {@code run}, a claim of the whole-file hash at {@code offset}: pieces
   * before the last are reported as their bytes pass (unchecked; a resume re-hashes them), the
   * last once everything is on disk and in the whole-file hash. Returns the pieces reported;
   * a failure abandons the claim (the whole-file hash then reads the file back at the end).
   */
  private static int streamInto(SourceConnection c, PieceWriter out, MessageDigest run, PiecePlanSpec spec,
      int first, int last, FileDigest whole, long offset, long length, RateLimiter limiter,
      Landed landed) throws IOException {
    int handed = 0;
    boolean committed = false;
    HashPipe pipe = c.pipe(null, run, out);
    boolean drained = false;
    try {
      for (int i = first; i <= last; i++) {
        long len = spec.length(i);
        c.readThrough(len, pipe, limiter, true); // a span's lane has one ticket: no pipelined sends
        if (i < last) {
          landed.piece(new Piece(i, null, len)); // bytes handed on, maybe not on disk yet
          handed++;
        }
      }
      drained = true;
      pipe.finish(); // every byte written by the pipe's writer and hashed
      out.finish(true);
      committed = true;
      try {
        whole.commit(offset, length, run);
      } catch (IOException local) {
        // Catching up from our own .part failed: the whole-file hash reads it again at the end.
      }
      landed.piece(new Piece(last, null, spec.length(last)));
      return handed + 1;
    } catch (IOException e) {
      throw new SpanCut(handed, e);
    } finally {
      if (!drained) {
        try {
          pipe.finish(); // the connection's buffers idle again, whatever happened
        } catch (IOException ignored) {
          // failing anyway
        }
      }
      if (!committed) {
        whole.abandon();
      }
    }
  }

  /** A {@link #span} that stopped after {@code handed} pieces; the cause says why. */
  public static final class SpanCut extends IOException {
    private final int handed;

    SpanCut(int handed, IOException cause) {
      super(cause.getMessage(), cause);
      this.handed = handed;
    }

    public int handed() {
      return handed;
    }
  }

  /**
   * Sends ticket {@code ticket}'s range request on {@code lane} in its turn, waits for its turn
   * to read the reply and registers the connection with {@code abort} (may be null); the caller
   * reads the header and leaves {@code abort} in its {@code finally}.
   */
  private static SourceConnection awaitRange(SourceLane lane, long ticket, String type, String name,
      long offset, long length, Abort abort) throws IOException {
    lane.send(ticket, conn -> {
      conn.sendRequest(type, name, offset, length);
      conn.flush();
    });
    SourceConnection c = lane.awaitReply(ticket);
    if (abort != null) {
      abort.enter(c);
    }
    return c;
  }

  /**
   * The digests one piece's bytes go into, hashed once: the whole-file hash when it stands at
   * the piece ({@link FileDigest#claim}), and the piece's own unless {@code trustWhole} lets the
   * whole-file hash vouch for it. After the bytes are in (and on disk), {@link #done}; in a
   * {@code finally}, {@link #release}, which gives up a claim never handed over.
   */
  private static final class PieceHashes {
    private final FileDigest whole;
    private final long offset;
    final MessageDigest wholeDigest;
    final MessageDigest own;
    private boolean handedOver;
    /** After {@link #done}: the piece matched its hash, or was taken on trust. */
    boolean good;

    PieceHashes(FileDigest whole, long offset, boolean trustWhole) {
      this.whole = whole;
      this.offset = offset;
      this.wholeDigest = whole == null ? null : whole.claim(offset);
      this.own = wholeDigest != null && trustWhole ? null : PieceHasher.sha256();
    }

    /** The piece as reported (its own hash, null if taken on trust); its bytes go to the whole-file hash. */
    Piece done(int index, long length, String expected) {
      String got = own == null ? null : PieceHasher.hex(own.digest());
      good = got == null || got.equalsIgnoreCase(expected);
      handedOver = true;
      handToWhole(whole, wholeDigest, offset, length, good);
      return new Piece(index, got, length);
    }

    void release() {
      if (wholeDigest != null && !handedOver) {
        whole.abandon();
      }
    }
  }

  /** A received piece's part in the whole-file hash: streamed in, queued for disk, or dropped. */
  private static void handToWhole(FileDigest whole, MessageDigest streamed, long offset, long length,
      boolean good) {
    if (whole == null) {
      return;
    }
    try {
      if (streamed != null) {
        if (good) {
          whole.commit(offset, length, streamed);
        } else {
          whole.abandon();
        }
      } else if (good) {
        whole.ready(offset, length);
      }
    } catch (IOException local) {
      // Reading back our own .part failed: not the source's fault; the whole-file hash
      // starts over from disk at the end (FileDigest.finish).
    }
  }

  /** What the name already holds: null if nothing, else this very content or something else. */
  private static Small existing(Path target, long size, String sha256, long pieceSize) throws IOException {
    if (!Files.exists(target)) {
      return null;
    }
    boolean same = Files.size(target) == size
        && PieceHasher.hash(target, pieceSize).sha256().equalsIgnoreCase(sha256);
    return same ? new AlreadyThere() : new Taken();
  }

  /**
   * Registers {@code c} with {@code abort}, sends a range request and reads its header: an error
   * header is a {@link Refused}, a body of another length an IOException.
   */
  private static void requestBody(SourceConnection c, Abort abort, PeerAddress src, String type,
      String name, long offset, long length) throws IOException {
    if (abort != null) {
      abort.enter(c);
    }
    checkHeader(c.request(type, name, offset, length), src, length);
  }

  /** An error header is a {@link Refused}, a body of another length an IOException. */
  private static void checkHeader(TransferHeader h, PeerAddress src, long length) throws IOException {
    if (!h.ok()) {
      throw new Refused(h.code(), src.peerId() + ": " + (h.error() == null ? "refused" : h.error())
          + (h.code() == null ? "" : " (" + h.code() + ")"));
    }
    if (h.bodyLength() != length) {
      throw new IOException(src.peerId() + " announced " + h.bodyLength() + " bytes, expected " + length);
    }
  }

  /** Back to the pool after a clean exchange, unless the download was stopped meanwhile. */
  private void giveBack(SourceConnection c, boolean clean, Abort abort) {
    if (abort != null) {
      abort.leave(c);
    }
    finish(c, clean && (abort == null || !abort.aborted()));
  }

  /** The source's manifest of {@code name} over a pooled connection. */
  public ManifestResponse manifest(PeerAddress src, String name) throws IOException {
    SourceConnection c = pool.borrow(src.host(), src.port());
    boolean clean = false;
    try {
      Envelope reply = c.manifestReply(name);
      clean = true;
      try {
        ManifestResponse m = reply.payloadAs(ManifestResponse.class);
        if (!"ok".equals(m.status())) {
          ErrorReply e = reply.payloadAs(ErrorReply.class);
          throw new Refused(e.code(), "no manifest for " + name + " from " + src.peerId() + ": "
              + (e.error() == null ? "refused" : e.error()));
        }
        return m;
      } catch (ProtocolException e) {
        throw new IOException("bad manifest for " + name + " from " + src.peerId() + ": " + e.getMessage());
      }
    } finally {
      finish(c, clean);
    }
  }

  /** How often one file of a batch is asked again after a BUSY reply. */
  static final int MAX_BUSY_RETRIES = 50;

  /** One small file of a pipelined batch. */
  public record SmallItem(String name, long size, String sha256, PartFile files) {}

  /** Per item: a {@link Small} outcome, or the error that stopped it. */
  public record SmallOutcome(Small small, IOException error, double seconds) {}

  /**
   * Many small files from one source over one connection, pipelined: up to {@code window}
   * requests in flight, replies read in order, each verified and renamed as in {@link #small}.
   * An IO error fails the item it hit and every later one (the caller retries them elsewhere).
   */
  public List<SmallOutcome> smallBatch(PeerAddress src, String type, List<SmallItem> items,
      long pieceSize, int window) {
    long t0 = System.nanoTime();
    SmallOutcome[] out = new SmallOutcome[items.size()];
    List<Integer> toFetch = new java.util.ArrayList<>();
    for (int k = 0; k < items.size(); k++) {
      SmallItem it = items.get(k);
      try {
        Small there = existing(it.files().target(), it.size(), it.sha256(), pieceSize);
        if (there != null) {
          out[k] = new SmallOutcome(there, null, secs(t0));
        } else {
          toFetch.add(k);
        }
      } catch (IOException e) {
        out[k] = new SmallOutcome(null, e, secs(t0));
      }
    }
    java.util.Map<Integer, Integer> busyRetries = new java.util.HashMap<>();
    if (!toFetch.isEmpty()) {
      SourceConnection c = null;
      int received = 0;
      try {
        c = pool.borrow(src.host(), src.port());
        Files.createDirectories(items.get(toFetch.get(0)).files().target().getParent());
        int sent = 0;
        while (received < toFetch.size()) {
          boolean wrote = false;
          while (sent < toFetch.size() && sent - received < window) {
            SmallItem it = items.get(toFetch.get(sent));
            c.sendRequest(type, it.name(), 0L, it.size());
            sent++;
            wrote = true;
          }
          if (wrote) {
            c.flush();
          }
          int k = toFetch.get(received);
          out[k] = receiveSmall(c, src, items.get(k), t0);
          received++;
          if (out[k].error() instanceof Refused r && "BUSY".equals(r.code())
              && busyRetries.merge(k, 1, Integer::sum) <= MAX_BUSY_RETRIES) {
            out[k] = null;
            toFetch.add(k); // the source is at its upload limit: ask again after the others
          }
        }
        pool.release(c);
      } catch (IOException e) {
        if (c != null) {
          c.close();
        }
        for (int r = received; r < toFetch.size(); r++) {
          out[toFetch.get(r)] = new SmallOutcome(null, e, secs(t0));
        }
      }
    }
    return List.of(out);
  }

  private SmallOutcome receiveSmall(SourceConnection c, PeerAddress src, SmallItem it, long t0)
      throws IOException {
    TransferHeader h = c.readHeader();
    if (!h.ok()) {
      return new SmallOutcome(null, new Refused(h.code(), src.peerId() + ": "
          + (h.error() == null ? "refused" : h.error())), secs(t0));
    }
    if (h.bodyLength() != it.size()) {
      throw new IOException(src.peerId() + " announced " + h.bodyLength() + " bytes, expected " + it.size());
    }
    int size = (int) it.size();
    byte[] body = c.readBodyShared(size, limiter); // used before the next read on c
    try {
      return new SmallOutcome(keepIfVerified(it.files(), body, size, it.sha256()), null, secs(t0));
    } catch (IOException e) {
      return new SmallOutcome(null, e, secs(t0)); // a local problem: the connection is fine
    }
  }

  /**
   * Checks an in-memory body against {@code sha256} and, when it matches, writes it to the .part
   * and publishes it; bad bytes never get the final name and leave no .part. The small path
   * keeps no resume record (the body is fetched again in one go), so a write that fails (a full
   * disk) must not leave a torn .part behind either: it is removed before the error goes up.
   */
  private static Small keepIfVerified(PartFile pf, byte[] body, int length, String sha256)
      throws IOException {
    try {
      String got;
      if (length >= DIRECT_SMALL_MIN) {
        // As the pieces of large files: O_DIRECT where the file system takes it (filling fresh
        // page cache costs about 2 ms of CPU per MiB on this kind of VM), padded to a block
        // and cut back to the file's size. Each full staging buffer goes to a writer thread as
        // it fills, so the disk takes the bytes while this thread hashes them; the .part is
        // published only if the hash matches.
        Files.createDirectories(pf.part().getParent());
        PieceWriter w = PieceWriter.open(pf.part(), 0, length, length);
        boolean done = false;
        try {
          w.write(body, 0, length);
          got = PieceHasher.sha256Hex(body, 0, length);
          if (got.equalsIgnoreCase(sha256)) {
            w.finishAndTruncate(length);
            done = true;
          }
        } finally {
          if (!done) {
            w.finish(false);
          }
        }
        if (!done) {
          Files.deleteIfExists(pf.part());
          return new BadBytes(got);
        }
      } else {
        got = PieceHasher.sha256Hex(body, 0, length);
        if (!got.equalsIgnoreCase(sha256)) {
          return new BadBytes(got);
        }
        writeWhole(pf.part(), body, length);
      }
      pf.publish(false);
      return new Published(pf.target(), 0);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(pf.part());
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e instanceof java.nio.file.FileAlreadyExistsException ? e : new LocalIO("cannot write " + pf.part(), e);
    }
  }

  private static FileChannel createTruncated(Path file) throws IOException {
    try {
      return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE);
    } catch (java.nio.file.NoSuchFileException missingDir) {
      Files.createDirectories(file.getParent());
      return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE);
    }
  }

  /**
   * {@code body} as the whole of {@code file} in one write call (Files.write hands the kernel
   * 8 KiB at a time: 128 calls per MiB). The directory is made only when it is missing: a
   * mkdir and a stat per small file cost as much as writing it.
   */
  private static void writeWhole(Path file, byte[] body, int length) throws IOException {
    try (FileChannel ch = createTruncated(file)) {
      java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(body, 0, length);
      while (bb.hasRemaining()) {
        ch.write(bb);
      }
    }
  }


  /** Bodies from this size on are written like pieces (O_DIRECT where possible). */
  static final int DIRECT_SMALL_MIN = 256 * 1024;

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  /** Re-hashes the pieces a resume record claims; returns those that really match. */
  public static BitSet reverify(Path part, PiecePlanSpec spec, BitSet claimed) throws IOException {
    BitSet ok = new BitSet();
    if (!Files.isRegularFile(part)) {
      return ok;
    }
    byte[] buf = new byte[256 * 1024];
    try (FileChannel ch = FileChannel.open(part, StandardOpenOption.READ)) {
      for (int i = claimed.nextSetBit(0); i >= 0; i = claimed.nextSetBit(i + 1)) {
        long off = spec.offset(i);
        long len = spec.length(i);
        if (off + len > ch.size()) {
          continue;
        }
        MessageDigest d = PieceHasher.sha256();
        long pos = off;
        long left = len;
        while (left > 0) {
          java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(buf, 0, (int) Math.min(buf.length, left));
          int r = ch.read(bb, pos);
          if (r < 0) {
            break;
          }
          d.update(buf, 0, r);
          pos += r;
          left -= r;
        }
        if (left == 0 && PieceHasher.hex(d.digest()).equalsIgnoreCase(spec.pieces().get(i))) {
          ok.set(i);
        }
      }
    }
    return ok;
  }

  /** A file's size, piece size and piece hashes: where each piece lies and what it must hash to. */
  public record PiecePlanSpec(long size, long pieceSize, List<String> pieces) {
    public long offset(int i) {
      return i * pieceSize;
    }

    /** Piece {@code i}'s length (the last one may be short). */
    public long length(int i) {
      return Math.min(pieceSize, size - offset(i));
    }
  }

  private void finish(SourceConnection c, boolean clean) {
    if (clean) {
      pool.release(c);
    } else {
      c.close();
    }
  }
}
