package io.p2pshare.protocol;

/** Where a peer serves its files: {@code {"peer_id", "host", "port"}}. */
public record PeerAddress(String peerId, String host, Integer port) {
  public PeerAddress {
    ProtocolException.require(peerId, "peer.peer_id");
  }

  public String hostPort() {
    return host + ":" + port;
  }
}
