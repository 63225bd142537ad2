package io.p2pshare.index;

/**
 * A {@link PeerRecord} as it travels between index nodes: the serializable snapshot of one peer's
 * address and flags. {@code version} orders snapshots of the same peer (newer wins on every node);
 * {@code origin} is the node whose registry holds the session.
 */
public record PeerInfo(String peerId, String host, int port, boolean live, boolean takesTasks,
    long version, String origin) implements ClusterSerializable {

  static PeerInfo of(PeerRecord r, long version, String origin) {
    PeerRecord.Address a = r.address();
    return new PeerInfo(r.peerId(), a.host(), a.port(), r.isLive(), r.takesTasks(), version, origin);
  }
}
