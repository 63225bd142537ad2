package io.p2pshare.protocol;

/** OBTAIN_REQUEST / REPLICATE_REQUEST / MANIFEST_REQUEST payload; offset and length are ext. */
public record TransferRequest(String fileName, Long offset, Long length) {
  public TransferRequest {
    ProtocolException.require(fileName, "file_name");
    if (offset != null && offset < 0) {
      throw ProtocolException.badRequest("offset must not be negative");
    }
    if (length != null && length < 0) {
      throw ProtocolException.badRequest("length must not be negative");
    }
  }

  public boolean hasRange() {
    return offset != null || length != null;
  }
}
