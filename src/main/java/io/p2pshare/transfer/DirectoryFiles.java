package io.p2pshare.transfer;

import io.p2pshare.protocol.ProtocolException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link ServedFiles} read straight from directories on each lookup, without a catalog: for
 * tests, and as a fallback when no catalog view is available. Entries come back unhashed
 * ({@code sha256 == null}); the transfer server hashes on demand for a manifest. Looks in
 * shared, then replicated, then downloaded; never serves hidden names or {@code .part} files.
 * Blocking (a stat per lookup), cheap enough to call from a stream stage.
 */
public final class DirectoryFiles implements ServedFiles {
  private static final Origin[] ORDER = {Origin.SHARED, Origin.REPLICATED, Origin.DOWNLOADED};

  private final Map<Origin, Path> dirs;
  private final long pieceSize;

  public DirectoryFiles(Map<Origin, Path> dirs, long pieceSize) {
    this.dirs = new EnumMap<>(dirs);
    this.pieceSize = pieceSize;
  }

  /** One directory served as {@code shared/}. */
  public static DirectoryFiles shared(Path dir) {
    return new DirectoryFiles(Map.of(Origin.SHARED, dir), PieceHasher.DEFAULT_PIECE_SIZE);
  }

  public static DirectoryFiles of(Path shared, Path replicated, Path downloaded, long pieceSize) {
    return new DirectoryFiles(Map.of(Origin.SHARED, shared, Origin.REPLICATED, replicated,
        Origin.DOWNLOADED, downloaded), pieceSize);
  }

  @Override
  public Optional<FileEntry> lookup(String name, Set<Origin> origins) {
    if (name.startsWith(".") || name.endsWith(".part")) {
      return Optional.empty();
    }
    for (Origin o : ORDER) {
      Path dir = dirs.get(o);
      if (dir == null || !origins.contains(o)) {
        continue;
      }
      Path p = FileNames.resolve(dir, name); // throws BAD_REQUEST for names or links leaving dir
      try {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        if (a.isRegularFile()) {
          return Optional.of(new FileEntry(name, p, o, a.size(), a.lastModifiedTime().toMillis(),
              null, pieceSize, null));
        }
      } catch (IOException e) {
        // not in this directory
      }
    }
    return Optional.empty();
  }

  /** For callers that want a boolean: true when {@code name} is valid and present. */
  public boolean has(String name) {
    try {
      return lookup(name, Set.of(Origin.values())).isPresent();
    } catch (ProtocolException e) {
      return false;
    }
  }
}
