package io.p2pshare.index;

import io.p2pshare.protocol.FileMeta;
import java.util.function.Consumer;

/**
 * One (name, peer) entry's data, compact: the interned peer, the size, and the SHA-256 as four
 * longs instead of a 64-char String (56 bytes a holder instead of about 150).
 *
 * <p>A name's holders are stored as an {@code Object} that is either one {@code Holder} (the
 * common case: no array) or a {@code Holder[]}; the static helpers build new values and never
 * mutate a published one, so readers need no lock.
 */
public final class Holder {
  private static final long NO_SIZE = -1;

  final PeerRecord peer;
  private final long size;
  private final long h0;
  private final long h1;
  private final long h2;
  private final long h3;

  Holder(PeerRecord peer, FileMeta meta) {
    this.peer = peer;
    this.size = meta == null || meta.sizeBytes() == null ? NO_SIZE : meta.sizeBytes();
    String sha = meta == null ? null : meta.sha256();
    if (sha != null) {
      h0 = Long.parseUnsignedLong(sha, 0, 16, 16);
      h1 = Long.parseUnsignedLong(sha, 16, 32, 16);
      h2 = Long.parseUnsignedLong(sha, 32, 48, 16);
      h3 = Long.parseUnsignedLong(sha, 48, 64, 16);
    } else {
      h0 = h1 = h2 = h3 = 0; // all zero = no hash (no boolean: it would round the object to 64 bytes)
    }
  }

  /** Whether {@code sha} is 64 hex digits (the only form a holder can store). */
  public static boolean validSha(String sha) {
    if (sha.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      if (Character.digit(sha.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  public PeerRecord peer() {
    return peer;
  }

  public boolean hasSize() {
    return size != NO_SIZE;
  }

  public long size() {
    return size == NO_SIZE ? 0 : size;
  }

  public boolean hasSha() {
    return (h0 | h1 | h2 | h3) != 0;
  }

  /** Lowercase hex, or null. */
  public String sha256() {
    if (!hasSha()) {
      return null;
    }
    char[] out = new char[64];
    hex(h0, out, 0);
    hex(h1, out, 16);
    hex(h2, out, 32);
    hex(h3, out, 48);
    return new String(out);
  }

  public FileMeta meta() {
    return new FileMeta(hasSize() ? size : null, sha256());
  }

  private static final char[] DIGITS = "0123456789abcdef".toCharArray();

  private static void hex(long v, char[] out, int at) {
    for (int i = 15; i >= 0; i--) {
      out[at + i] = DIGITS[(int) (v & 0xf)];
      v >>>= 4;
    }
  }

  // ---- holder sets: a Holder, a Holder[] (two or more), or null (none) ----

  /** The set with {@code h} added, replacing the entry of the same peer. */
  static Object with(Object cur, Holder h) {
    if (cur == null) {
      return h;
    }
    if (cur instanceof Holder one) {
      return one.peer == h.peer ? h : new Holder[] {one, h};
    }
    Holder[] arr = (Holder[]) cur;
    for (int i = 0; i < arr.length; i++) {
      if (arr[i].peer == h.peer) {
        Holder[] copy = arr.clone();
        copy[i] = h;
        return copy;
      }
    }
    Holder[] copy = new Holder[arr.length + 1];
    System.arraycopy(arr, 0, copy, 0, arr.length);
    copy[arr.length] = h;
    return copy;
  }

  /** The set without {@code peer}'s entry (the same object if it had none; null if empty). */
  static Object without(Object cur, PeerRecord peer) {
    if (cur == null) {
      return null;
    }
    if (cur instanceof Holder one) {
      return one.peer == peer ? null : one;
    }
    Holder[] arr = (Holder[]) cur;
    int at = -1;
    for (int i = 0; i < arr.length; i++) {
      if (arr[i].peer == peer) {
        at = i;
        break;
      }
    }
    if (at < 0) {
      return cur;
    }
    if (arr.length == 2) {
      return arr[1 - at];
    }
    Holder[] copy = new Holder[arr.length - 1];
    System.arraycopy(arr, 0, copy, 0, at);
    System.arraycopy(arr, at + 1, copy, at, arr.length - at - 1);
    return copy;
  }

  static Holder find(Object cur, PeerRecord peer) {
    if (cur instanceof Holder one) {
      return one.peer == peer ? one : null;
    }
    if (cur instanceof Holder[] arr) {
      for (Holder h : arr) {
        if (h.peer == peer) {
          return h;
        }
      }
    }
    return null;
  }

  static int count(Object cur) {
    if (cur == null) {
      return 0;
    }
    return cur instanceof Holder ? 1 : ((Holder[]) cur).length;
  }

  static int liveCount(Object cur) {
    if (cur instanceof Holder one) {
      return one.peer.isLive() ? 1 : 0;
    }
    int n = 0;
    if (cur instanceof Holder[] arr) {
      for (Holder h : arr) {
        if (h.peer.isLive()) {
          n++;
        }
      }
    }
    return n;
  }

  static void forEach(Object cur, Consumer<Holder> action) {
    if (cur instanceof Holder one) {
      action.accept(one);
    } else if (cur instanceof Holder[] arr) {
      for (Holder h : arr) {
        action.accept(h);
      }
    }
  }
}
