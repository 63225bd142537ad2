package io.p2pshare.peer;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes one piece's bytes, in order, at its offset in the {@code .part} file. When the file
 * system takes {@code O_DIRECT} and the piece starts on a block boundary (4 MiB pieces always
 * do), the bytes go straight to the disk from one reused aligned buffer per thread: a 1 GiB
 * download then does not fill 1 GiB of fresh page cache, which on this kind of VM costs about
 * 2 s of CPU per GiB (the hypervisor hands the guest's freed pages back and faults them in again
 * on first touch; bench/README.md). Otherwise, and whenever opening with {@code O_DIRECT}
 * fails, it writes through the page cache as before.
 *
 * <p>A direct write must cover whole blocks, so the file's last piece is padded with zeros to the
 * next block boundary; the download truncates the {@code .part} to the file's size before the
 * rename. Blocking IO: blocking dispatcher only; one thread per writer.
 *
 * <p>A direct write returns only when the disk has the bytes (about 0.4 ms per MiB here, 0.4 s
 * per GiB), so a full staging buffer is written by a writer thread of its own while the caller
 * fills the second one: receiving no longer waits for the disk. At most one write is in flight
 * per writer; {@link #finish} and {@link #close} wait for it, so a buffer is never refilled
 * while it is being written.
 */
final class PieceWriter implements Closeable {
  /** The aligned staging buffer: bytes are copied in and written when it is full. */
  static final int DIRECT_CHUNK = 1024 * 1024;

  /** Set false to switch direct IO off (e.g. a file system that accepts the flag but fails writes). */
  static volatile boolean directEnabled = !Boolean.getBoolean("p2p.download.no-direct-io");

  /** Two aligned staging buffers per thread: one filled while the other is written. */
  private static final ThreadLocal<ByteBuffer[]> BUFFERS = ThreadLocal.withInitial(() -> new ByteBuffer[2]);

  private static final java.util.concurrent.ExecutorService WRITERS =
      java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "p2pshare-write");
        t.setDaemon(true);
        return t;
      });

  private final Path part;
  /** Replaced by a writer thread when O_DIRECT is refused; read after {@link #awaitWrite}. */
  private volatile FileChannel ch;
  /** The channel was opened with O_DIRECT (until a refused write moves it to the page cache). */
  private volatile boolean directIo;
  private final ByteBuffer[] staging;
  /** The staging buffer being filled (null: page-cache writes straight from the caller's bytes). */
  private ByteBuffer direct;
  private final int align;
  private long pos;
  /** The write of the other staging buffer, if one is in flight. */
  private java.util.concurrent.Future<?> inFlight;

  private PieceWriter(Path part, FileChannel ch, boolean directIo, ByteBuffer[] staging, int align, long pos) {
    this.part = part;
    this.ch = ch;
    this.directIo = directIo;
    this.staging = staging;
    this.direct = staging == null ? null : staging[0];
    this.align = align;
    this.pos = pos;
  }

  /**
   * A writer for {@code length} bytes at {@code offset} of {@code part}, a file that will hold
   * {@code fileSize} bytes. Failing to open the file is a {@link PieceTransfers.LocalIO}.
   */
  static PieceWriter open(Path part, long offset, long length, long fileSize) throws IOException {
    return open(part, offset, length, fileSize, -1);
  }

  /** As above; {@code block} > 0 overrides the file system's block size (tests). */
  static PieceWriter open(Path part, long offset, long length, long fileSize, long block) throws IOException {
    if (directEnabled) {
      PieceWriter w = tryDirect(part, offset, length, fileSize, block);
      if (w != null) {
        return w;
      }
    }
    return new PieceWriter(part, buffered(part), false, null, 1, offset);
  }

  private static FileChannel buffered(Path part) throws IOException {
    try {
      return FileChannel.open(part, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
    } catch (IOException e) {
      throw new PieceTransfers.LocalIO("cannot open " + part, e);
    }
  }

  /** Block size per directory: asking the file store reads /proc/mounts (~60 us a file). */
  private static final java.util.Map<Path, Long> BLOCK_SIZES = new java.util.concurrent.ConcurrentHashMap<>();

  private static long blockSizeOf(Path dir) throws IOException {
    Long known = BLOCK_SIZES.get(dir);
    if (known != null) {
      return known;
    }
    long b = Files.getFileStore(dir).getBlockSize();
    if (BLOCK_SIZES.size() >= 256) {
      BLOCK_SIZES.clear(); // a long-lived process writing into ever new directories
    }
    BLOCK_SIZES.put(dir, b);
    return b;
  }

  private static PieceWriter tryDirect(Path part, long offset, long length, long fileSize, long blockSize) {
    try {
      Path dir = part.toAbsolutePath().getParent();
      long block = blockSize > 0 ? blockSize : blockSizeOf(dir);
      if (block <= 0 || block > DIRECT_CHUNK || DIRECT_CHUNK % block != 0 || offset % block != 0
          || (length % block != 0 && offset + length != fileSize)) {
        return null; // a piece whose padding would run into the next piece: page cache
      }
      FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
          com.sun.nio.file.ExtendedOpenOption.DIRECT);
      return new PieceWriter(part, ch, true, buffers((int) block), (int) block, offset);
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return null; // tmpfs and friends: no O_DIRECT
    }
  }

  /**
   * This thread's two aligned buffers (blocking threads are few and long-lived). A writer
   * leaves none in flight when it is done, so the next writer on this thread may reuse them.
   */
  private static ByteBuffer[] buffers(int align) {
    ByteBuffer[] slot = BUFFERS.get();
    for (int i = 0; i < slot.length; i++) {
      if (slot[i] == null || slot[i].alignmentOffset(0, align) != 0) {
        slot[i] = ByteBuffer.allocateDirect(DIRECT_CHUNK + align).alignedSlice(align);
      }
      slot[i].clear();
    }
    return slot.clone();
  }

  /** The next {@code len} bytes of the piece. */
  void write(byte[] b, int off, int len) throws IOException {
    write(ByteBuffer.wrap(b, off, len));
  }

  /**
   * The next bytes of the piece, from {@code src}'s position to its limit (consumed). A direct
   * buffer that starts on a block boundary, holds whole blocks and finds nothing staged is
   * written as it is, with no copy (the caller's thread waits for the disk); anything else goes
   * through the staging buffers (a full one is written by a writer thread, see the class).
   */
  void write(ByteBuffer src) throws IOException {
    if (direct == null) {
      try {
        while (src.hasRemaining()) {
          pos += ch.write(src, pos);
        }
      } catch (IOException e) {
        throw new PieceTransfers.LocalIO("cannot write the download", e);
      }
      return;
    }
    int n = src.remaining();
    if (direct.position() == 0 && src.isDirect() && n > 0 && n % align == 0
        && src.alignmentOffset(src.position(), align) == 0) {
      awaitWrite();
      ByteBuffer whole = src.slice();
      src.position(src.limit());
      writeDirect(whole, pos);
      pos += n;
      return;
    }
    while (src.hasRemaining()) {
      int k = Math.min(src.remaining(), direct.remaining());
      direct.put(direct.position(), src, src.position(), k);
      direct.position(direct.position() + k);
      src.position(src.position() + k);
      if (!direct.hasRemaining()) {
        flushAsync();
      }
    }
  }

  /** Hands the full staging buffer to a writer thread and goes on with the other one. */
  private void flushAsync() throws IOException {
    awaitWrite();
    ByteBuffer full = direct;
    full.flip();
    long at = pos;
    pos += full.remaining();
    inFlight = WRITERS.submit(() -> {
      writeDirect(full, at);
      return null;
    });
    direct = direct == staging[0] ? staging[1] : staging[0];
    direct.clear();
  }

  /** Waits for the write in flight, if any; its failure is this writer's. */
  private void awaitWrite() throws IOException {
    java.util.concurrent.Future<?> f = inFlight;
    if (f == null) {
      return;
    }
    inFlight = null;
    boolean interrupted = false;
    try {
      while (true) {
        try {
          f.get();
          return;
        } catch (InterruptedException e) {
          interrupted = true; // the buffer must not be reused while the write runs: keep waiting
        }
      }
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new PieceTransfers.LocalIO("cannot write the download",
          new IOException(String.valueOf(e.getCause()), e.getCause()));
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Writes what is staged, padded with zeros to a whole block (only the file's end is short). */
  private void flushDirect() throws IOException {
    awaitWrite();
    int used = direct.position();
    if (used == 0) {
      return;
    }
    int padded = (int) ((used + align - 1) / align * align);
    while (direct.position() < padded) {
      direct.put((byte) 0);
    }
    direct.flip();
    try {
      writeDirect(direct, pos);
    } finally {
      direct.clear();
    }
    pos += padded;
  }

  /** One staged buffer at {@code at}, with the page-cache fallback; on the caller's or a writer thread. */
  private void writeDirect(ByteBuffer buf, long at) throws IOException {
    try {
      writeFully(buf, at);
    } catch (IOException e) {
      if (!directIo) {
        throw new PieceTransfers.LocalIO("cannot write the download", e);
      }
      // The file system took O_DIRECT at open but refuses the write (alignment rules of its
      // own): this piece and every later download go through the page cache instead.
      directEnabled = false;
      directIo = false;
      ch.close();
      ch = buffered(part);
      buf.rewind();
      try {
        writeFully(buf, at);
      } catch (IOException again) {
        throw new PieceTransfers.LocalIO("cannot write the download", again);
      }
    }
  }

  private void writeFully(ByteBuffer b, long at) throws IOException {
    long p = at;
    while (b.hasRemaining()) {
      p += ch.write(b, p);
    }
  }

  /** Writes the rest and closes; on a failed piece ({@code complete} false) the rest is dropped. */
  void finish(boolean complete) throws IOException {
    try {
      if (complete && direct != null) {
        flushDirect();
      }
    } finally {
      close();
    }
  }

  /**
   * As {@code finish(true)} for a writer that holds a whole file, then cuts the file back to
   * {@code size} (the padding of its last block) on the same open file.
   */
  void finishAndTruncate(long size) throws IOException {
    try {
      if (direct != null) {
        flushDirect();
      }
      ch.truncate(size);
    } finally {
      close();
    }
  }

  @Override
  public void close() throws IOException {
    try {
      awaitWrite(); // never leave a write running on this thread's buffers
    } catch (IOException ignored) {
      // closing after a failure: the piece is fetched again anyway
    }
    if (direct != null) {
      direct.clear();
    }
    ch.close();
  }
}
