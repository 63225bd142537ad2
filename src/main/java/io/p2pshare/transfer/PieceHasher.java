package io.p2pshare.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** SHA-256 of a whole file and of each fixed-size piece, in one streaming pass, constant memory. */
public final class PieceHasher {
  public static final long DEFAULT_PIECE_SIZE = 4L * 1024 * 1024;
  private static final HexFormat HEX = HexFormat.of();

  /** The whole-file hash and the piece hashes. */
  public record Hashes(long size, String sha256, long pieceSize, List<String> pieces) {}

  public static Hashes hash(Path file, long pieceSize) throws IOException {
    MessageDigest whole = sha256();
    MessageDigest piece = sha256();
    List<String> pieces = new ArrayList<>();
    byte[] buf = new byte[256 * 1024];
    long size = 0;
    long inPiece = 0;
    try (InputStream in = Files.newInputStream(file)) {
      int r;
      while ((r = in.read(buf)) > 0) {
        whole.update(buf, 0, r);
        int off = 0;
        while (off < r) {
          int n = (int) Math.min(r - off, pieceSize - inPiece);
          piece.update(buf, off, n);
          off += n;
          inPiece += n;
          if (inPiece == pieceSize) {
            pieces.add(HEX.formatHex(piece.digest()));
            inPiece = 0;
          }
        }
        size += r;
      }
    }
    if (inPiece > 0 || size == 0) {
      pieces.add(HEX.formatHex(piece.digest()));
    }
    return new Hashes(size, HEX.formatHex(whole.digest()), pieceSize, List.copyOf(pieces));
  }

  /** Number of pieces for a file of {@code size} bytes (an empty file has one empty piece). */
  public static int pieceCount(long size, long pieceSize) {
    return size == 0 ? 1 : (int) ((size + pieceSize - 1) / pieceSize);
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from this JVM", e);
    }
  }

  /** The SHA-256 of {@code len} bytes of {@code b} from {@code off}, as lowercase hex. */
  public static String sha256Hex(byte[] b, int off, int len) {
    MessageDigest d = sha256();
    d.update(b, off, len);
    return hex(d.digest());
  }

  public static String hex(byte[] digest) {
    return HEX.formatHex(digest);
  }

  private PieceHasher() {}
}
