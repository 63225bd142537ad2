package io.p2pshare.index;

/**
 * One peer as search results show it: interned per peer id (the index holds one instance per
 * peer, shared by all its holder entries). {@link PeerRegistry} is the only writer of the
 * address and liveness; connection streams read them without asking any actor (volatile
 * fields: a swap is seen by the next search).
 */
public final class PeerRecord {
  /** Where the peer serves its files. */
  public record Address(String host, int port) {}

  private final String peerId;
  private volatile Address address;
  private volatile boolean live;
  /** Speaks the extensions (heartbeats / its token): can take replication tasks. Base clients can't. */
  private volatile boolean takesTasks;

  PeerRecord(String peerId, Address address) {
    this.peerId = peerId;
    this.address = address;
  }

  public String peerId() {
    return peerId;
  }

  public Address address() {
    return address;
  }

  public boolean isLive() {
    return live;
  }

  public boolean takesTasks() {
    return takesTasks;
  }

  // Writers: PeerRegistry only.
  void setTakesTasks(boolean takesTasks) {
    this.takesTasks = takesTasks;
  }

  void setAddress(Address address) {
    this.address = address;
  }

  void setLive(boolean live) {
    this.live = live;
  }

  @Override
  public String toString() {
    return peerId + "@" + address.host() + ":" + address.port() + (live ? "" : " (dead)");
  }
}
