package io.p2pshare.peer;

import com.fasterxml.jackson.core.type.TypeReference;
import io.p2pshare.protocol.Wire;
import io.p2pshare.transfer.FileEntry;
import io.p2pshare.transfer.Origin;
import io.p2pshare.transfer.PieceHasher;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists a peer's three directories and hashes what is new. Hashes are cached on disk keyed by
 * (origin, name, size, mtime), so a restart with unchanged files does not rehash. Blocking: run
 * it on the blocking-IO dispatcher. Stateless between calls apart from the cache it is given.
 */
public final class CatalogScanner {
  private static final Logger log = LoggerFactory.getLogger(CatalogScanner.class);
  public static final String PART_SUFFIX = ".part";
  public static final String RESUME_SUFFIX = ".resume";

  /** One cached hash record. */
  public record CacheEntry(
      Origin origin, String name, long size, long mtimeMs, String sha256, long pieceSize,
      List<String> pieces) {
    String key() {
      return key(origin, name, size, mtimeMs);
    }

    static String key(Origin o, String name, long size, long mtime) {
      return o + "/" + name + "/" + size + "/" + mtime;
    }
  }

  /** Result of one scan: every file found (hashed), the cache to keep, how many were hashed. */
  public record Scan(List<FileEntry> entries, Map<String, CacheEntry> cache, int hashed) {}

  private final Map<Origin, Path> dirs;
  private final Path cacheFile;
  private final long pieceSize;

  public CatalogScanner(Path shared, Path replicated, Path downloaded, Path cacheFile, long pieceSize) {
    this.dirs = new EnumMap<>(Origin.class);
    dirs.put(Origin.SHARED, shared);
    dirs.put(Origin.REPLICATED, replicated);
    dirs.put(Origin.DOWNLOADED, downloaded);
    this.cacheFile = cacheFile;
    this.pieceSize = pieceSize;
  }

  public Path dir(Origin origin) {
    return dirs.get(origin);
  }

  /**
   * True for names the catalog never lists: in-progress downloads, records, hidden files, and
   * names no peer could ask for ({@link io.p2pshare.transfer.FileNames}: the index would refuse
   * the whole registration for one of them).
   */
  public static boolean ignored(String name) {
    return name.startsWith(".") || name.endsWith(PART_SUFFIX) || name.endsWith(RESUME_SUFFIX)
        || !io.p2pshare.transfer.FileNames.isValid(name);
  }

  /** Lists and hashes; {@code cache} is read, never modified. Saves the cache if it changed. */
  public Scan scan(Map<String, CacheEntry> cache, boolean forceSave) {
    List<FileEntry> entries = new ArrayList<>();
    Map<String, CacheEntry> next = new HashMap<>();
    int hashed = 0;
    for (Map.Entry<Origin, Path> d : dirs.entrySet()) {
      Origin origin = d.getKey();
      if (!Files.isDirectory(d.getValue())) {
        continue;
      }
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(d.getValue())) {
        for (Path p : ds) {
          String name = p.getFileName().toString();
          if (ignored(name)) {
            continue;
          }
          try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
              continue; // symlinks and directories are never served
            }
            long size = a.size();
            long mtime = a.lastModifiedTime().toMillis();
            CacheEntry c = cache.get(CacheEntry.key(origin, name, size, mtime));
            if (c == null || c.pieceSize() != pieceSize) {
              PieceHasher.Hashes h = PieceHasher.hash(p, pieceSize);
              if (h.size() != size) {
                continue; // still being written: next scan
              }
              c = new CacheEntry(origin, name, size, mtime, h.sha256(), pieceSize, h.pieces());
              hashed++;
            }
            next.put(c.key(), c);
            entries.add(new FileEntry(name, p, origin, size, mtime, c.sha256(), pieceSize, c.pieces()));
          } catch (NoSuchFileException gone) {
            // removed between listing and reading: it is simply not there
          } catch (IOException e) {
            log.warn("cannot read {}: {}", p, e.getMessage());
          }
        }
      } catch (IOException e) {
        log.warn("cannot list {}: {}", d.getValue(), e.getMessage());
      }
    }
    if (forceSave || !next.keySet().equals(cache.keySet())) {
      save(next);
    }
    return new Scan(entries, next, hashed);
  }

  /** A cache entry for a file whose hashes are already known (a verified download). */
  public static CacheEntry known(FileEntry e) {
    return new CacheEntry(e.origin(), e.name(), e.size(), e.mtimeMs(), e.sha256(), e.pieceSize(),
        e.pieces());
  }

  public Map<String, CacheEntry> load() {
    if (cacheFile == null || !Files.isRegularFile(cacheFile)) {
      return Map.of();
    }
    try {
      List<CacheEntry> list = Wire.MAPPER.readValue(cacheFile.toFile(), new TypeReference<>() {});
      Map<String, CacheEntry> m = new HashMap<>();
      for (CacheEntry c : list) {
        if (c != null && c.name() != null && c.origin() != null && c.sha256() != null
            && c.pieces() != null) {
          m.put(c.key(), c);
        }
      }
      return m;
    } catch (IOException | RuntimeException e) {
      log.warn("ignoring unreadable hash cache {}: {}", cacheFile, e.getMessage());
      return Map.of();
    }
  }

  public void save(Map<String, CacheEntry> cache) {
    if (cacheFile == null) {
      return;
    }
    Path tmp = cacheFile.resolveSibling(cacheFile.getFileName() + ".tmp");
    try {
      Files.createDirectories(cacheFile.toAbsolutePath().getParent());
      Wire.MAPPER.writeValue(tmp.toFile(), new ArrayList<>(cache.values()));
      Files.move(tmp, cacheFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      log.warn("cannot save hash cache {}: {}", cacheFile, e.getMessage());
    }
  }
}
