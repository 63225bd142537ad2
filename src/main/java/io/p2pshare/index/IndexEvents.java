package io.p2pshare.index;

import java.util.List;

/**
 * What the registry and the shards publish on the system EventStream, for the replication
 * coordinator (and anyone else) to subscribe to: {@code eventStream().tell(new
 * EventStream.Subscribe<>(IndexEvents.Event.class, ref))}.
 */
public final class IndexEvents {
  public sealed interface Event permits PeerLive, PeerDead, PeerUnregistered, HoldersChanged, TaskReported {}

  /**
   * A session opened, a dead peer came back (re-registration or a successful probe), or a live
   * peer began taking replication tasks (its first heartbeat or token use).
   */
  public record PeerLive(PeerRecord peer) implements Event {}

  /** No heartbeat (or probe) within peer_expiry_ms: hidden from search from now on. */
  public record PeerDead(PeerRecord peer) implements Event {}

  /** A graceful leave: its entries are gone at once, no grace period. */
  public record PeerUnregistered(PeerRecord peer) implements Event {}

  /** One shard's change for one peer, batched per registration (names added / removed). */
  public record HoldersChanged(int shard, PeerRecord peer, List<String> added, List<String> removed)
      implements Event {}

  /** A REPLICATION_REPORT from an authenticated peer. */
  public record TaskReported(String peerId, String taskId, String fileName, String status, String error)
      implements Event {}

  private IndexEvents() {}
}
