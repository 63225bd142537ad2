package io.p2pshare.protocol;

/** UNREGISTER payload. */
public record UnregisterRequest(String token) {
  public UnregisterRequest {
    ProtocolException.require(token, "token");
  }
}
