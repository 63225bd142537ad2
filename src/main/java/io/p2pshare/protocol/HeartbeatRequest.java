package io.p2pshare.protocol;

/** HEARTBEAT payload. */
public record HeartbeatRequest(String token) {
  public HeartbeatRequest {
    ProtocolException.require(token, "token");
  }
}
