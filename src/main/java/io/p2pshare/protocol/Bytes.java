package io.p2pshare.protocol;

import akka.util.ByteString;
import java.nio.ByteBuffer;

/** Byte-level helpers for {@link ByteString}s on the framing hot paths. */
public final class Bytes {
  private Bytes() {}

  /**
   * The index of the first {@code b} at or after {@code from}, or -1. {@code ByteString.indexOf}
   * is generic (each byte boxed and compared as an object): over a 150 KB search reply that
   * costs milliseconds; this walks the fragments' buffers with primitive compares instead.
   */
  public static int indexOf(ByteString s, byte b, int from) {
    int base = 0;
    for (ByteBuffer bb : s.getByteBuffers()) {
      int len = bb.remaining();
      if (from < base + len) {
        int pos = bb.position();
        for (int i = Math.max(0, from - base); i < len; i++) {
          if (bb.get(pos + i) == b) {
            return base + i;
          }
        }
      }
      base += len;
    }
    return -1;
  }
}
