package io.p2pshare.bench;

import java.nio.file.Path;

/**
 * The download machinery under test, seen by one strong-scaling worker. A worker opens one and
 * downloads its share of the files through it in sequence, so an implementation may keep
 * connections open between files.
 */
public interface Downloader extends AutoCloseable {
  /** Downloads {@code file} into {@code outDir}; returns the final path (complete and renamed). */
  Path download(FileSpec file, Path outDir) throws Exception;

  /**
   * Called by a worker inside the timed window with its whole share, before its first download
   * (e.g. to look every name up at once); a no-op unless overridden.
   */
  default void prepare(java.util.List<FileSpec> share) throws Exception {}

  @Override
  default void close() throws Exception {}

  /** Opens one downloader per worker. */
  @FunctionalInterface
  interface Factory {
    Downloader open() throws Exception;
  }
}
