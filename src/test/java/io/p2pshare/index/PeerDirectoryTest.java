package io.p2pshare.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PeerDirectoryTest {
  static final String A = "akka://p2pshare-index@a:1";
  static final String B = "akka://p2pshare-index@b:1";

  @Test
  void oneRecordPerPeerId() {
    PeerDirectory d = new PeerDirectory(A);
    assertSame(d.record("peer1"), d.record("peer1"));
  }

  @Test
  void newerSnapshotsWinOlderOnesAreIgnored() {
    PeerDirectory d = new PeerDirectory(A);
    PeerRecord r = d.apply(new PeerInfo("peer1", "h", 7100, true, true, 10, B));
    assertTrue(r.isLive());
    assertEquals(new PeerRecord.Address("h", 7100), r.address());
    assertEquals(B, d.origin("peer1"));
    assertNull(d.apply(new PeerInfo("peer1", "h", 7100, false, true, 9, B)), "older: ignored");
    assertTrue(r.isLive());
    assertSame(r, d.apply(new PeerInfo("peer1", "h2", 7200, false, false, 11, B)));
    assertFalse(r.isLive());
    assertEquals(7200, r.address().port());
    assertTrue(d.nextVersion() > 11, "versions this node issues come after any it saw");
  }

  @Test
  void ownSnapshotsDoNotOverwriteWhatTheLocalRegistryWrote() {
    PeerDirectory d = new PeerDirectory(A);
    PeerRecord r = d.record("peer1");
    r.setLive(true);
    PeerInfo mine = d.snapshot(r, null);
    r.setLive(false); // the registry expired it meanwhile
    d.apply(mine);    // the old Apply reaches a shard on this node afterwards
    assertFalse(r.isLive());
    assertEquals(A, mine.origin());
    assertTrue(d.snapshot(r, Boolean.TRUE).live(), "a registration announces the peer live");
  }

  @Test
  void livePeersOfAGoneNode() {
    PeerDirectory d = new PeerDirectory(A);
    d.apply(new PeerInfo("peer1", "h", 1, true, true, 10, B));
    d.apply(new PeerInfo("peer2", "h", 2, false, true, 10, B));
    d.apply(new PeerInfo("peer3", "h", 3, true, true, 10, "akka://p2pshare-index@c:1"));
    assertEquals(List.of("peer1"), d.liveFrom(B).stream().map(PeerRecord::peerId).toList());
  }

  @Test
  void digestCarriesOwnLiveSessionsAtTheirLastVersion() {
    PeerDirectory d = new PeerDirectory(A);
    PeerRecord mine = d.record("peer1");
    mine.setLive(true);
    PeerInfo announced = d.snapshot(mine, null);
    PeerRecord gone = d.record("peer2");
    gone.setLive(true);
    d.snapshot(gone, null);
    gone.setLive(false); // expired here: not in the digest
    d.apply(new PeerInfo("peer3", "h", 3, true, true, 10, B)); // B's session
    assertEquals(List.of(announced), d.ownLive(), "same version: nothing re-versioned");

    PeerDirectory other = new PeerDirectory(B);
    assertTrue(other.isNews(announced), "never seen");
    other.apply(announced);
    assertFalse(other.isNews(announced), "seen at that version");
    other.apply(new PeerInfo("peer1", "h", 1, false, true, announced.version() + 5, "akka://p2pshare-index@c:1"));
    assertFalse(other.isNews(announced), "a newer snapshot from elsewhere wins over the digest");
  }
}
