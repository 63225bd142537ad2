package io.p2pshare.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The reading side of a blocking frame connection: newline-terminated lines found by scanning
 * its own buffer, then raw body bytes from the same buffer. Not thread-safe (one reader).
 * Replaces {@code BufferedInputStream.read()} per byte, whose locked call per byte cost tens of
 * milliseconds on a 200 KB search reply in a fresh JVM.
 */
public final class FrameInput {
  /** A line longer than the limit (the rest of it is not consumed: discard the connection). */
  public static final class LineTooLong extends IOException {
    public LineTooLong(String message) {
      super(message);
    }
  }

  /** Reads at least this long bypass the buffer when it is empty. */
  static final int DIRECT_READ = 16 * 1024;

  private final InputStream in;
  private final byte[] buf;
  private int pos;
  private int limit;

  public FrameInput(InputStream in, int bufferSize) {
    this.in = in;
    this.buf = new byte[bufferSize];
  }

  /**
   * The bytes up to (not including) the next {@code \n}. EOF before it is an
   * {@link EOFException} saying {@code what}; more than {@code maxBytes} a {@link LineTooLong}.
   */
  public byte[] readLine(int maxBytes, String what) throws IOException {
    byte[] acc = null;
    int accLen = 0;
    while (true) {
      for (int i = pos; i < limit; i++) {
        if (buf[i] == '\n') {
          int n = i - pos;
          if (accLen + n > maxBytes) {
            throw new LineTooLong(what + " longer than " + maxBytes + " bytes");
          }
          byte[] line;
          if (acc == null) {
            line = Arrays.copyOfRange(buf, pos, i);
          } else {
            line = Arrays.copyOf(acc, accLen + n);
            System.arraycopy(buf, pos, line, accLen, n);
          }
          pos = i + 1;
          return line;
        }
      }
      int n = limit - pos;
      if (accLen + n > maxBytes) {
        throw new LineTooLong(what + " longer than " + maxBytes + " bytes");
      }
      if (n > 0) {
        if (acc == null) {
          acc = new byte[Math.max(n * 2, 512)];
        } else if (accLen + n > acc.length) {
          acc = Arrays.copyOf(acc, Math.max(acc.length * 2, accLen + n));
        }
        System.arraycopy(buf, pos, acc, accLen, n);
        accLen += n;
      }
      pos = limit;
      if (!fill()) {
        throw new EOFException(accLen == 0 ? what + ": connection closed"
            : what + ": connection closed after " + accLen + " bytes of a line");
      }
    }
  }

  /**
   * Up to {@code len} bytes (at least one), or -1 at EOF. With the buffer empty, a read of at
   * least {@link #DIRECT_READ} bytes goes straight into {@code dst}: body bytes are copied once,
   * not through the buffer (a socket read returns what has arrived, usually less than asked).
   */
  public int read(byte[] dst, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (pos == limit) {
      if (len >= DIRECT_READ) {
        return in.read(dst, off, len);
      }
      if (!fill()) {
        return -1;
      }
    }
    int n = Math.min(len, limit - pos);
    System.arraycopy(buf, pos, dst, off, n);
    pos += n;
    return n;
  }

  /**
   * Moves bytes this reader has buffered already (read along with a header) into {@code dst},
   * as many as fit; the rest of a body is then read from the connection directly.
   */
  public int drainTo(java.nio.ByteBuffer dst) {
    int n = Math.min(limit - pos, dst.remaining());
    if (n > 0) {
      dst.put(buf, pos, n);
      pos += n;
    }
    return n;
  }

  /** Exactly {@code len} bytes; EOF first is an {@link EOFException} saying {@code what}. */
  public void readFully(byte[] dst, int off, int len, String what) throws IOException {
    int done = 0;
    while (done < len) {
      int r = read(dst, off + done, len - done);
      if (r < 0) {
        throw new EOFException(what + ": connection closed with " + (len - done) + " body bytes missing");
      }
      done += r;
    }
  }

  private boolean fill() throws IOException {
    int r = in.read(buf, 0, buf.length);
    if (r <= 0) {
      pos = 0;
      limit = 0;
      return false;
    }
    pos = 0;
    limit = r;
    return true;
  }
}
