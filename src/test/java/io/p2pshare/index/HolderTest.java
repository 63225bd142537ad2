package io.p2pshare.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.Frames;
import io.p2pshare.protocol.SearchResponse;
import io.p2pshare.protocol.Wire;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The compact holder layout and the hand-written search encoder. */
class HolderTest {
  private static final String SHA = "00ff0123456789abcdef0123456789abcdefffffffffffffffff000000000001";

  @Test
  void sha_and_size_survive_the_compact_form() {
    PeerRecord p = new PeerRecord("peer1", new PeerRecord.Address("h", 1));
    Holder h = new Holder(p, new FileMeta(5L, SHA));
    assertEquals(SHA, h.sha256());
    assertEquals(new FileMeta(5L, SHA), h.meta());
    assertEquals(SHA, new Holder(p, new FileMeta(5L, SHA.toUpperCase())).sha256(), "lower-cased");
    Holder bare = new Holder(p, FileMeta.EMPTY);
    assertFalse(bare.hasSha());
    assertFalse(bare.hasSize());
    assertEquals(FileMeta.EMPTY, bare.meta());
    assertTrue(Holder.validSha(SHA));
    assertFalse(Holder.validSha("xyz"));
    assertFalse(Holder.validSha(SHA.replace('a', 'g')));
  }

  @Test
  void holder_sets_add_replace_and_remove() {
    PeerRecord a = new PeerRecord("a", new PeerRecord.Address("h", 1));
    PeerRecord b = new PeerRecord("b", new PeerRecord.Address("h", 2));
    PeerRecord c = new PeerRecord("c", new PeerRecord.Address("h", 3));
    Holder ha = new Holder(a, new FileMeta(1L, null));
    Object set = Holder.with(null, ha);
    assertSame(ha, set, "one holder needs no array");
    set = Holder.with(set, new Holder(b, new FileMeta(1L, null)));
    set = Holder.with(set, new Holder(c, new FileMeta(1L, null)));
    assertEquals(3, Holder.count(set));
    Holder ha2 = new Holder(a, new FileMeta(2L, null));
    set = Holder.with(set, ha2);
    assertEquals(3, Holder.count(set));
    assertSame(ha2, Holder.find(set, a));
    set = Holder.without(set, b);
    assertEquals(2, Holder.count(set));
    assertNull(Holder.find(set, b));
    set = Holder.without(set, a);
    assertTrue(set instanceof Holder);
    assertNull(Holder.without(set, c));
    assertEquals(0, Holder.liveCount(set));
    c.setLive(true);
    assertEquals(1, Holder.liveCount(set));
  }

  @Test
  void encoder_writes_what_the_generic_codec_would() throws Exception {
    PeerRecord p = new PeerRecord("peer2", new PeerRecord.Address("127.0.0.1", 7101));
    List<Holder> hs = List.of(new Holder(p, new FileMeta(1024L, SHA)), new Holder(p, new FileMeta(7L, null)));
    byte[] fast = SearchEncoder.exactResponse("index", "rq", "peer2_kb_0050.txt", hs);
    assertEquals('\n', fast[fast.length - 1]);
    Envelope e = Frames.decode(fast, 0, fast.length - 1);
    SearchResponse got = e.payloadAs(SearchResponse.class);
    assertEquals("SEARCH_RESPONSE", e.type());
    assertEquals("rq", e.requestId());
    assertEquals(2, got.results().size());
    Envelope generic = Envelope.of("SEARCH_RESPONSE", "index", "rq", new SearchResponse("ok",
        "peer2_kb_0050.txt", List.of(
            new io.p2pshare.protocol.SearchResult("peer2", new io.p2pshare.protocol.PeerAddress("peer2", "127.0.0.1", 7101),
                new FileMeta(1024L, SHA), null),
            new io.p2pshare.protocol.SearchResult("peer2", new io.p2pshare.protocol.PeerAddress("peer2", "127.0.0.1", 7101),
                new FileMeta(7L, null), null)), null));
    assertEquals(Wire.MAPPER.readTree(Wire.MAPPER.writeValueAsBytes(generic.payload())), e.payload());
  }
}
