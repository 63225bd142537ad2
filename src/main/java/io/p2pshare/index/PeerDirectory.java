package io.p2pshare.index;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cluster mode: the one {@link PeerRecord} per peer id on this node. The local registry, the shard
 * entities hosted here and the replication coordinator all share these instances (holder sets
 * compare peers by identity). Sessions held by this node's registry write them directly; sessions
 * on other nodes arrive as {@link PeerInfo} snapshots and are applied only when newer.
 */
public final class PeerDirectory {
  private final ConcurrentHashMap<String, PeerRecord> records = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Long> versions = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, String> origins = new ConcurrentHashMap<>();
  private final AtomicLong clock = new AtomicLong();
  private final String self;

  /** {@code self}: this node's address, the origin of the sessions its registry holds. */
  public PeerDirectory(String self) {
    this.self = self;
  }

  public String self() {
    return self;
  }

  /** The interned record of {@code peerId} (created dead, at a placeholder address). */
  public PeerRecord record(String peerId) {
    return records.computeIfAbsent(peerId, id -> new PeerRecord(id, new PeerRecord.Address("127.0.0.1", 0)));
  }

  /**
   * A version later than any this node issued or saw: wall-clock based so versions from
   * different nodes compare sensibly, and strictly increasing here.
   */
  public long nextVersion() {
    long now = System.currentTimeMillis() * 1000;
    return clock.updateAndGet(v -> Math.max(v + 1, now));
  }

  /** Snapshot of a record this node's registry owns, stamped now; {@code live} overrides the flag. */
  public PeerInfo snapshot(PeerRecord r, Boolean live) {
    long v = nextVersion();
    versions.put(r.peerId(), v);
    origins.put(r.peerId(), self);
    PeerInfo i = PeerInfo.of(r, v, self);
    return live == null ? i : new PeerInfo(i.peerId(), i.host(), i.port(), live, i.takesTasks(), v, self);
  }

  /**
   * Applies a snapshot from a shard message or another node. Returns the record, or null when
   * this node already saw a newer snapshot of that peer (the record is left alone). A snapshot
   * this node issued itself changes nothing: its registry writes the record directly.
   */
  public PeerRecord apply(PeerInfo info) {
    PeerRecord r = record(info.peerId());
    if (self.equals(info.origin())) {
      return r;
    }
    synchronized (r) {
      Long seen = versions.get(info.peerId());
      if (seen != null && seen > info.version()) {
        return null;
      }
      versions.put(info.peerId(), info.version());
      clock.updateAndGet(v -> Math.max(v, info.version()));
      if (info.origin() != null) {
        origins.put(info.peerId(), info.origin());
      }
      PeerRecord.Address a = new PeerRecord.Address(info.host(), info.port());
      if (!a.equals(r.address())) {
        r.setAddress(a);
      }
      r.setTakesTasks(info.takesTasks());
      r.setLive(info.live());
    }
    return r;
  }

  /** The node holding {@code peerId}'s session, as last heard (null if unknown). */
  public String origin(String peerId) {
    return origins.get(peerId);
  }

  /** Live peers whose session was held by {@code origin}. */
  public List<PeerRecord> liveFrom(String origin) {
    List<PeerRecord> out = new ArrayList<>();
    origins.forEach((id, o) -> {
      PeerRecord r = records.get(id);
      if (o.equals(origin) && r != null && r.isLive()) {
        out.add(r);
      }
    });
    return out;
  }

  /**
   * The live sessions this node's registry holds, each at the version this node last issued for
   * it: what the periodic digest re-sends so that a node that missed an update (or joined later)
   * catches up without anything being re-versioned.
   */
  public List<PeerInfo> ownLive() {
    List<PeerInfo> out = new ArrayList<>();
    for (PeerRecord r : liveFrom(self)) {
      Long v = versions.get(r.peerId());
      if (v != null) {
        out.add(PeerInfo.of(r, v, self));
      }
    }
    return out;
  }

  /** True when this node has seen neither {@code info}'s version of that peer nor a newer one. */
  public boolean isNews(PeerInfo info) {
    Long seen = versions.get(info.peerId());
    return seen == null || seen < info.version();
  }

  public List<PeerRecord> all() {
    return new ArrayList<>(records.values());
  }
}
