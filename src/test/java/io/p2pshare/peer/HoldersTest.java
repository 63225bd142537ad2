package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.*;

import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.protocol.SearchResult;
import java.util.List;
import org.junit.jupiter.api.Test;

class HoldersTest {
  static SearchResult r(String peer, long size, String sha) {
    return new SearchResult(peer, new PeerAddress(peer, "127.0.0.1", 7000 + peer.length()),
        new FileMeta(size, sha), null);
  }

  @Test
  void theVersionMostHoldersAgreeOnWinsAndOnlyItsHoldersAreSources() {
    List<SearchResult> rs = List.of(r("a", 10, "AA"), r("b", 10, "bb"), r("c", 10, "aa"), r("me", 10, "aa"));
    Holders.Choice c = Holders.choose(rs, "me", 4, 0);
    assertEquals("AA", c.meta().sha256());
    assertEquals(List.of("a", "c"), c.sources().stream().map(PeerAddress::peerId).toList(),
        "never ourselves, never the odd version");
  }

  @Test
  void atMostMaxSourcesRotatedToSpreadLoad() {
    List<SearchResult> rs = List.of(r("p1", 5, "x"), r("p2", 5, "x"), r("p3", 5, "x"));
    assertEquals(2, Holders.choose(rs, null, 2, 0).sources().size());
    assertEquals("p2", Holders.choose(rs, null, 4, 1).sources().get(0).peerId());
    assertEquals("p1", Holders.choose(rs, null, 4, 3).sources().get(0).peerId());
  }

  @Test
  void withoutHashesSizesDecideAndNothingUsableMeansNoSources() {
    List<SearchResult> rs = List.of(r("p1", 5, null), r("p2", 7, null), r("p3", 5, null));
    Holders.Choice c = Holders.choose(rs, null, 4, 0);
    assertEquals(5L, c.meta().sizeBytes());
    assertEquals(2, c.sources().size());
    assertTrue(Holders.choose(List.of(r("me", 1, "z")), "me", 4, 0).sources().isEmpty());
  }
}
