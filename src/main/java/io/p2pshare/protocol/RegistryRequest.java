package io.p2pshare.protocol;

import java.util.Map;

/** REGISTRY_REQUEST payload. {@code peer}, {@code mode}, {@code token} are optional. */
public record RegistryRequest(PeerAddress peer, Map<String, FileMeta> files, String mode, String token) {
  public static final String FULL = "full";
  public static final String ADD = "add";
  public static final String REMOVE = "remove";

  public RegistryRequest {
    ProtocolException.require(files, "files");
    if (mode != null && !FULL.equals(mode) && !ADD.equals(mode) && !REMOVE.equals(mode)) {
      throw ProtocolException.badRequest("mode must be full, add or remove, not '" + mode + "'");
    }
  }

  public String modeOrFull() {
    return mode == null ? FULL : mode;
  }
}
