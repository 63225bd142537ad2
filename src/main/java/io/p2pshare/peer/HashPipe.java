package io.p2pshare.peer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hashes a body's bytes on a second thread, and with a {@link PieceWriter} writes them on a
 * third, while the reading thread goes on receiving: SHA-256 (about 0.55 s of CPU per GiB) and
 * the disk (a direct write returns when the disk has the bytes, about 0.4 s per GiB here) then no
 * longer sit between two socket reads. The reader fills one of a few buffers, hands it over
 * ({@link #hashed}) and takes the next free one ({@link #buffer}); the hasher feeds each to the
 * digests in order, the writer writes each in order, and a buffer is free again once both are
 * done with it. {@link #finish} waits until every byte is in the digests and written. The buffers
 * belong to one connection and are reused body after body, so a reader never returns while a
 * consumer might still read one.
 *
 * <p>The buffers are direct and block-aligned: a plain connection reads into them straight from
 * the socket and a direct write goes straight from them to the disk, so the reader copies
 * nothing (heap buffers cost a copy in the socket read and one into the write's staging buffer:
 * 0.15-0.25 s per GiB more, measured with a bare client). The hasher copies a slice at a time
 * into a small array of its own, which stays in the cache.
 *
 * <p>The consumers are a small pool of daemon threads of their own, not the blocking dispatcher:
 * a transfer task waits for them, so the two must never queue behind each other.
 */
final class HashPipe {
  /**
   * Buffers per connection, made once and reused piece after piece. 1 MiB each: a 1 GiB body is
   * 1,024 hand-overs, not 4,096 (about 0.1 s faster per GiB than 256 KiB here); G1 keeps such an
   * array as a humongous object at small heaps, which is harmless for a buffer that lives as
   * long as its connection.
   */
  static final int RING = 4;
  static final int CHUNK = 1024 * 1024;
  /** Alignment of the buffers: a multiple of any block size a direct write asks for. */
  static final int ALIGN = 4096;
  /** The hasher's slice of a direct buffer. */
  private static final int SLICE = 64 * 1024;

  private static final ExecutorService CONSUMERS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "p2pshare-hash");
    t.setDaemon(true);
    return t;
  });

  /** A filled buffer (its bytes from 0 to its limit); {@code users}: consumers still using it. */
  private record Chunk(ByteBuffer bytes, AtomicInteger users) {}

  private static final Chunk END = new Chunk(ByteBuffer.allocate(0), new AtomicInteger());

  private final BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(RING);
  private final BlockingQueue<Chunk> toHash = new ArrayBlockingQueue<>(RING + 1);
  private final BlockingQueue<Chunk> toWrite = new ArrayBlockingQueue<>(RING + 1);
  private final MessageDigest first;
  private final MessageDigest second;
  private final PieceWriter writer;
  private final CompletableFuture<Void> hashedAll = new CompletableFuture<>();
  private final CompletableFuture<Void> writtenAll = new CompletableFuture<>();
  /** The writer's failure, seen by the reader at its next buffer: no reading on for nothing. */
  private volatile IOException writeFailure;

  /** Starts a hasher for {@code first} and {@code second} (either may be null) over {@code ring}. */
  HashPipe(ByteBuffer[] ring, MessageDigest first, MessageDigest second) {
    this(ring, first, second, null);
  }

  /** As above, and a writer thread for {@code writer} (null: nothing is written). */
  HashPipe(ByteBuffer[] ring, MessageDigest first, MessageDigest second, PieceWriter writer) {
    this.first = first;
    this.second = second;
    this.writer = writer;
    for (ByteBuffer b : ring) {
      free.add(b);
    }
    CONSUMERS.execute(this::hash);
    if (writer != null) {
      CONSUMERS.execute(this::write);
    } else {
      writtenAll.complete(null);
    }
  }

  /** A fresh set of buffers for one connection. */
  static ByteBuffer[] newRing() {
    ByteBuffer[] ring = new ByteBuffer[RING];
    for (int i = 0; i < RING; i++) {
      ring[i] = ByteBuffer.allocateDirect(CHUNK + ALIGN).alignedSlice(ALIGN);
    }
    return ring;
  }

  /** What a consumer does with each filled buffer (its bytes from 0 to its limit). */
  private interface Work {
    void on(ByteBuffer bytes) throws IOException;
  }

  private void hash() {
    byte[] slice = new byte[SLICE];
    consume(toHash, b -> {
      while (b.hasRemaining()) {
        int n = Math.min(slice.length, b.remaining());
        b.get(slice, 0, n);
        if (first != null) {
          first.update(slice, 0, n);
        }
        if (second != null) {
          second.update(slice, 0, n);
        }
      }
    }, hashedAll);
  }

  private void write() {
    consume(toWrite, b -> {
      try {
        writer.write(b);
      } catch (IOException e) {
        writeFailure = e;
        throw e;
      } catch (RuntimeException e) {
        writeFailure = new IOException("writing failed: " + e, e);
        throw e;
      }
    }, writtenAll);
  }

  /**
   * Takes buffers from {@code queue} in order until the end marker, doing {@code work} on each;
   * after a failure it only hands buffers back, so the reader never waits forever. Then
   * completes {@code done} (with the first failure).
   */
  private void consume(BlockingQueue<Chunk> queue, Work work, CompletableFuture<Void> done) {
    Throwable failure = null;
    try {
      for (Chunk c = queue.take(); c != END; c = queue.take()) {
        if (failure == null) {
          try {
            work.on(c.bytes().duplicate());
          } catch (IOException | RuntimeException e) {
            failure = e;
          }
        }
        release(c);
      }
    } catch (InterruptedException e) {
      failure = e;
    }
    complete(done, failure);
  }

  private void release(Chunk c) {
    if (c.users().decrementAndGet() == 0) {
      free.add(c.bytes());
    }
  }

  private static void complete(CompletableFuture<Void> f, Throwable failure) {
    if (failure == null) {
      f.complete(null);
    } else {
      f.completeExceptionally(failure);
    }
  }

  /** The next buffer to read into, cleared (waits while all are in use). Throws once a write failed. */
  ByteBuffer buffer() throws IOException {
    IOException failed = writeFailure;
    if (failed != null) {
      throw failed;
    }
    try {
      return free.take().clear();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while hashing");
    }
  }

  /** The bytes of {@code b} from 0 to its position are next in the body. */
  void hashed(ByteBuffer b) {
    b.flip();
    Chunk c = new Chunk(b, new AtomicInteger(writer == null ? 1 : 2));
    toHash.add(c);
    if (writer != null) {
      toWrite.add(c);
    }
  }

  /**
   * No more bytes: waits until the consumers have taken everything (also after a failed read, so
   * the buffers are idle when this returns). Throws if writing (first) or hashing failed; a
   * write failure keeps its type (a {@link PieceTransfers.LocalIO} is our disk's fault).
   */
  void finish() throws IOException {
    toHash.add(END);
    if (writer != null) {
      toWrite.add(END);
    }
    Throwable writeErr = joined(writtenAll);
    Throwable hashErr = joined(hashedAll);
    if (writeErr instanceof IOException io) {
      throw io;
    }
    if (writeErr != null) {
      throw new IOException("writing failed: " + writeErr, writeErr);
    }
    if (hashErr != null) {
      throw new IOException("hashing failed: " + hashErr, hashErr);
    }
  }

  private static Throwable joined(CompletableFuture<Void> f) {
    try {
      f.join();
      return null;
    } catch (CompletionException e) {
      return e.getCause();
    }
  }
}
