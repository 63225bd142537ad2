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
 */
final class PieceWriter implements Closeable {
  /** The aligned staging buffer: bytes are copied in and written when it is full. */
  static final int DIRECT_CHUNK = 1024 * 1024;

  /** Set false to switch direct IO off (e.g. a file system that accepts the flag but fails writes). */
  static volatile boolean directEnabled = !Boolean.getBoolean("p2p.download.no-direct-io");

  private static final ThreadLocal<ByteBuffer[]> BUFFERS = ThreadLocal.withInitial(() -> new ByteBuffer[1]);

  private final Path part;
  private FileChannel ch;
  /** The channel was opened with O_DIRECT (until a refused write moves it to the page cache). */
  private boolean directIo;
  private final ByteBuffer direct;
  private final int align;
  private long pos;

  private PieceWriter(Path part, FileChannel ch, boolean directIo, ByteBuffer direct, int align, long pos) {
    this.part = part;
    this.ch = ch;
    this.directIo = directIo;
    this.direct = direct;
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

  private static PieceWriter tryDirect(Path part, long offset, long length, long fileSize, long blockSize) {
    try {
      Path dir = part.toAbsolutePath().getParent();
      long block = blockSize > 0 ? blockSize : Files.getFileStore(Files.exists(part) ? part : dir).getBlockSize();
      if (block <= 0 || block > DIRECT_CHUNK || DIRECT_CHUNK % block != 0 || offset % block != 0
          || (length % block != 0 && offset + length != fileSize)) {
        return null; // a piece whose padding would run into the next piece: page cache
      }
      FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
          com.sun.nio.file.ExtendedOpenOption.DIRECT);
      return new PieceWriter(part, ch, true, buffer((int) block), (int) block, offset);
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return null; // tmpfs and friends: no O_DIRECT
    }
  }

  /** This thread's aligned buffer (blocking threads are few and long-lived). */
  private static ByteBuffer buffer(int align) {
    ByteBuffer[] slot = BUFFERS.get();
    ByteBuffer b = slot[0];
    if (b == null || b.alignmentOffset(0, align) != 0) {
      b = ByteBuffer.allocateDirect(DIRECT_CHUNK + align).alignedSlice(align);
      slot[0] = b;
    }
    b.clear();
    return b;
  }

  /** The next {@code len} bytes of the piece. */
  void write(byte[] b, int off, int len) throws IOException {
    if (direct == null) {
      ByteBuffer bb = ByteBuffer.wrap(b, off, len);
      try {
        while (bb.hasRemaining()) {
          pos += ch.write(bb, pos);
        }
      } catch (IOException e) {
        throw new PieceTransfers.LocalIO("cannot write the download", e);
      }
      return;
    }
    while (len > 0) {
      int n = Math.min(len, direct.remaining());
      direct.put(b, off, n);
      off += n;
      len -= n;
      if (!direct.hasRemaining()) {
        flushDirect();
      }
    }
  }

  /** Writes what is staged, padded with zeros to a whole block (only the file's end is short). */
  private void flushDirect() throws IOException {
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
      writeFully(direct, pos);
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
      direct.rewind();
      try {
        writeFully(direct, pos);
      } catch (IOException again) {
        throw new PieceTransfers.LocalIO("cannot write the download", again);
      }
    } finally {
      direct.clear();
    }
    pos += padded;
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

  @Override
  public void close() throws IOException {
    if (direct != null) {
      direct.clear();
    }
    ch.close();
  }
}
