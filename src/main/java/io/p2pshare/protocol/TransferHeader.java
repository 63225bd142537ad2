package io.p2pshare.protocol;

/** OBTAIN_RESPONSE / REPLICATE_RESPONSE header; exactly {@code length} raw bytes follow when ok. */
public record TransferHeader(
    String status,
    String fileName,
    Long fileSize,
    Long chunkSize,
    Long offset,
    Long length,
    String sha256,
    String error,
    String code) {

  public boolean ok() {
    return Status.OK.equals(status);
  }

  /** Bytes that follow this header on the wire: {@code length} (or the whole file) when ok, else 0. */
  public long bodyLength() {
    if (!ok()) {
      return 0;
    }
    if (length != null) {
      return length;
    }
    return fileSize == null ? 0 : fileSize;
  }
}
