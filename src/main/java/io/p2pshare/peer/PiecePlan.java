package io.p2pshare.peer;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;
import java.util.List;

/**
 * Which pieces of a file are verified and which still need fetching. Pure bookkeeping for the
 * {@link Download} actor: a piece is handed to one source at a time and goes back to the queue
 * if that source fails or serves bad bytes. A piece may also be written but not checked on its
 * own (its bytes went only into the whole-file hash): it counts as done, and is confirmed or
 * sent back once the whole file has been checked.
 */
public final class PiecePlan {
  private final PieceTransfers.PiecePlanSpec spec;
  private final BitSet verified;
  /** Written, not checked on their own: the whole-file hash decides. */
  private final BitSet unchecked = new BitSet();
  private final Deque<Integer> todo = new ArrayDeque<>();
  private int inFlight;

  public PiecePlan(long size, long pieceSize, List<String> hashes, BitSet alreadyVerified) {
    if (pieceSize <= 0 || hashes.size() != io.p2pshare.transfer.PieceHasher.pieceCount(size, pieceSize)) {
      throw new IllegalArgumentException("manifest does not match the file size: " + hashes.size()
          + " pieces of " + pieceSize + " for " + size + " bytes");
    }
    this.spec = new PieceTransfers.PiecePlanSpec(size, pieceSize, List.copyOf(hashes));
    this.verified = (BitSet) alreadyVerified.clone();
    for (int i = 0; i < hashes.size(); i++) {
      if (!verified.get(i)) {
        todo.add(i);
      }
    }
  }

  /** Size, piece size and piece hashes, for the blocking steps (immutable). */
  public PieceTransfers.PiecePlanSpec spec() {
    return spec;
  }

  /** The file's size in bytes. */
  public long size() {
    return spec.size();
  }

  public long pieceSize() {
    return spec.pieceSize();
  }

  public int pieces() {
    return spec.pieces().size();
  }

  public long offset(int i) {
    return spec.offset(i);
  }

  public long length(int i) {
    return spec.length(i);
  }

  public String hash(int i) {
    return spec.pieces().get(i);
  }

  /** The next piece to fetch, or -1 when none is waiting. */
  public int take() {
    Integer i = todo.poll();
    if (i == null) {
      return -1;
    }
    inFlight++;
    return i;
  }

  /** A fetched piece: true if its hash matched (it counts as done), false if it goes back. */
  public boolean complete(int i, String sha256) {
    inFlight--;
    if (hash(i).equalsIgnoreCase(sha256)) {
      verified.set(i);
      return true;
    }
    todo.addFirst(i);
    return false;
  }

  /** A fetched piece whose bytes went only into the whole-file hash: done, not yet verified. */
  public void wrote(int i) {
    inFlight--;
    unchecked.set(i);
  }

  /** Pieces written but not verified on their own. */
  public BitSet unchecked() {
    return (BitSet) unchecked.clone();
  }

  /** Unchecked pieces found good (re-hashed against their piece hashes). */
  public void confirm(BitSet good) {
    BitSet g = (BitSet) good.clone();
    g.and(unchecked);
    unchecked.andNot(g);
    verified.or(g);
  }

  /** An unchecked piece found bad: back to the front of the queue. */
  public void reject(int i) {
    if (unchecked.get(i)) {
      unchecked.clear(i);
      todo.addFirst(i);
    }
  }

  /** A fetch that failed before producing bytes: back to the front of the queue. */
  public void giveBack(int i) {
    inFlight--;
    todo.addFirst(i);
  }

  /** Every piece verified or written (unchecked ones wait for the whole-file check). */
  public boolean done() {
    return verified.cardinality() + unchecked.cardinality() == pieces();
  }

  public boolean idle() {
    return inFlight == 0;
  }

  public long verifiedBytes() {
    long b = 0;
    for (int i = verified.nextSetBit(0); i >= 0; i = verified.nextSetBit(i + 1)) {
      b += length(i);
    }
    return b;
  }

  /** Bytes verified or written: progress. */
  public long doneBytes() {
    long b = verifiedBytes();
    for (int i = unchecked.nextSetBit(0); i >= 0; i = unchecked.nextSetBit(i + 1)) {
      b += length(i);
    }
    return b;
  }

  public BitSet verified() {
    return (BitSet) verified.clone();
  }
}
