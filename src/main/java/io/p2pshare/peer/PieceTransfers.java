package io.p2pshare.peer;

import io.p2pshare.protocol.ManifestResponse;
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
 * reports back to its {@link Download} actor): manifest, one piece, a whole-file base-v1 fetch,
 * re-verification of resumed pieces, and the final check of an existing file.
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

  public ManifestResponse manifest(PeerAddress src, String name) throws IOException {
    SourceConnection c = pool.borrow(src.host(), src.port());
    boolean clean = false;
    try {
      ManifestResponse m = c.manifest(name);
      clean = true;
      if (!"ok".equals(m.status())) {
        throw new Refused(null, "no manifest from " + src.peerId());
      }
      return m;
    } finally {
      finish(c, clean);
    }
  }

  /** Fetches one range into {@code part} at its offset and returns the hash of the bytes. */
  public Piece piece(PeerAddress src, String type, String name, Path part, int index, long offset,
      long length, boolean ranged) throws IOException {
    SourceConnection c = pool.borrow(src.host(), src.port());
    boolean clean = false;
    try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE, StandardOpenOption.CREATE)) {
      TransferHeader h = ranged
          ? c.request(type, name, offset, length) : c.request(type, name, null, null);
      if (!h.ok()) {
        clean = true;
        throw new Refused(h.code(), src.peerId() + ": " + (h.error() == null ? "refused" : h.error())
            + (h.code() == null ? "" : " (" + h.code() + ")"));
      }
      long n = h.bodyLength();
      if (n != length) {
        throw new IOException(src.peerId() + " announced " + n + " bytes, expected " + length);
      }
      MessageDigest d = PieceHasher.sha256();
      c.readBody(n, ch, offset, d, limiter);
      clean = true;
      return new Piece(index, PieceHasher.hex(d.digest()), n);
    } finally {
      finish(c, clean);
    }
  }

  /** Base v1: the whole file in one stream (no range fields), size checked by the caller. */
  public Whole whole(PeerAddress src, String type, String name, Path part) throws IOException {
    SourceConnection c = pool.borrow(src.host(), src.port());
    boolean clean = false;
    try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      TransferHeader h = c.request(type, name, null, null);
      if (!h.ok()) {
        clean = true;
        throw new Refused(h.code(), src.peerId() + ": " + h.error());
      }
      long n = h.bodyLength();
      MessageDigest d = PieceHasher.sha256();
      c.readBody(n, ch, 0, d, limiter);
      clean = true;
      return new Whole(n, PieceHasher.hex(d.digest()));
    } finally {
      finish(c, clean);
    }
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
        long off = i * spec.pieceSize();
        long len = Math.min(spec.pieceSize(), spec.size() - off);
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

  /** Size and piece hashes, as the resume check needs them. */
  public record PiecePlanSpec(long size, long pieceSize, List<String> pieces) {}

  private void finish(SourceConnection c, boolean clean) {
    if (clean) {
      pool.release(c);
    } else {
      c.close();
    }
  }
}
