package io.p2pshare.protocol;

/** What the index knows of one file: size (base) and SHA-256 hex (ext). */
public record FileMeta(Long sizeBytes, String sha256) {
  public static final FileMeta EMPTY = new FileMeta(null, null);

  public long sizeOrZero() {
    return sizeBytes == null ? 0L : sizeBytes;
  }
}
