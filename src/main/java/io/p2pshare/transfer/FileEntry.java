package io.p2pshare.transfer;

import java.nio.file.Path;
import java.util.List;

/**
 * One file a peer holds: where it is and its hashes. {@code sha256} and {@code pieces} are null
 * until the catalog has hashed it.
 */
public record FileEntry(
    String name, Path path, Origin origin, long size, long mtimeMs, String sha256, long pieceSize,
    List<String> pieces) {

  public boolean hashed() {
    return sha256 != null && pieces != null;
  }
}
