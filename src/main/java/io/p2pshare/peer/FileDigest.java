package io.p2pshare.peer;

import io.p2pshare.transfer.PieceHasher;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.TreeMap;

/**
 * The SHA-256 of a whole file being downloaded, computed in file order while its pieces land in
 * any order. Piece hashes come from the source's manifest, so only the whole-file hash (the
 * index's) proves the file: a source whose manifest describes other bytes would otherwise pass
 * every piece check.
 *
 * <p>A piece that starts exactly where the hash stands is hashed as it arrives ({@link #claim},
 * then {@link #commit}); any other verified piece is {@link #ready} and hashed later from the
 * {@code .part} file once the hash reaches it. One thread at a time extends the hash; the others
 * leave their work queued. Thread-safe; blocking reads, so blocking-dispatcher threads only.
 */
public final class FileDigest {
  private final Path part;
  private final long size;
  private MessageDigest digest = PieceHasher.sha256();
  /** Bytes [0, hashed) are in {@link #digest}. */
  private long hashed;
  /** A thread is extending the hash (streaming a piece or catching up from disk). */
  private boolean busy;
  /** Verified ranges on disk beyond {@link #hashed}: offset to length. */
  private final TreeMap<Long, Long> ready = new TreeMap<>();

  public FileDigest(Path part, long size) {
    this.part = part;
    this.size = size;
  }

  /**
   * For a piece about to be received at {@code offset}: a copy of the running digest to feed
   * its bytes into, if the hash stands exactly there and no other thread is extending it; else
   * null (the piece is hashed from disk later).
   */
  public synchronized MessageDigest claim(long offset) {
    if (busy || offset != hashed) {
      return null;
    }
    busy = true;
    try {
      return (MessageDigest) digest.clone();
    } catch (CloneNotSupportedException e) {
      busy = false;
      return null; // every JDK SHA-256 clones; without it, pieces are hashed from disk
    }
  }

  /** The claimed piece arrived and verified: its bytes are in {@code d}. Then catches up. */
  public void commit(long offset, long length, MessageDigest d) throws IOException {
    synchronized (this) {
      if (!busy || offset != hashed) {
        throw new IllegalStateException("commit without a claim at " + offset);
      }
      digest = d;
      hashed = offset + length;
      busy = false;
    }
    catchUp();
  }

  /** The claimed piece failed (bad bytes, broken connection): the hash stays where it was. */
  public synchronized void abandon() {
    busy = false;
  }

  /** A verified piece on disk that was not streamed into the hash. Catches up if it can. */
  public void ready(long offset, long length) throws IOException {
    synchronized (this) {
      if (offset >= hashed) {
        ready.put(offset, length);
      }
    }
    catchUp();
  }

  /** Hashes queued ranges that continue the hashed prefix, reading them back from the part file. */
  public void catchUp() throws IOException {
    while (true) {
      long off;
      long len;
      MessageDigest d;
      synchronized (this) {
        Long l = busy ? null : ready.remove(hashed);
        if (l == null) {
          return;
        }
        busy = true;
        off = hashed;
        len = l;
        d = digest;
      }
      try {
        readInto(d, off, len);
      } catch (IOException | RuntimeException e) {
        synchronized (this) {
          // The digest may hold part of the range now: start over from the file next time.
          digest = PieceHasher.sha256();
          ready.clear();
          hashed = 0;
          busy = false;
        }
        throw e;
      }
      synchronized (this) {
        hashed = off + len;
        busy = false;
      }
    }
  }

  /** Bytes hashed in order so far. */
  public synchronized long hashedBytes() {
    return hashed;
  }

  /**
   * After every piece is verified: the whole file's SHA-256 (hex), hashing from disk whatever
   * was not hashed on arrival.
   */
  public String finish() throws IOException {
    catchUp();
    synchronized (this) {
      while (busy) {
        try {
          wait(10); // another thread is still extending the hash
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while hashing " + part);
        }
      }
      if (hashed < size) {
        // Pieces that were never reported (a resumed file, a lost race): hash the rest from disk.
        readInto(digest, hashed, size - hashed);
        hashed = size;
      }
      return PieceHasher.hex(digest.digest());
    }
  }

  private void readInto(MessageDigest d, long offset, long length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(1 << 20, Math.max(1, length)));
    try (FileChannel ch = FileChannel.open(part, StandardOpenOption.READ)) {
      long pos = offset;
      long end = offset + length;
      while (pos < end) {
        buf.clear();
        buf.limit((int) Math.min(buf.capacity(), end - pos));
        int r = ch.read(buf, pos);
        if (r < 0) {
          throw new IOException(part + " ends at " + pos + ", expected " + end + " bytes");
        }
        d.update(buf.array(), 0, r);
        pos += r;
      }
    }
  }
}
