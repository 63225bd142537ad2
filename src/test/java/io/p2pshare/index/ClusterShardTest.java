package io.p2pshare.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchResult;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The sharding entity on its own (no cluster needed): hosting, translation, lookups, reports. */
class ClusterShardTest {
  static final ActorTestKit kit = ActorTestKit.create();
  static final String SHA = "1f".repeat(32);

  @AfterAll
  static void cleanup() {
    kit.shutdownTestKit();
  }

  static PeerInfo peer(String id, long version) {
    return new PeerInfo(id, "127.0.0.1", 7100, true, true, version, "akka://p2pshare-index@other:1");
  }

  @Test
  void hostsItsShardAnswersBatchesInOrderAndReportsUnderReplication() {
    IndexView view = new IndexView(new ShardRouting(1));
    view.clusterMode(q -> null);
    PeerDirectory dir = new PeerDirectory("akka://p2pshare-index@self:1");
    List<Integer> started = new CopyOnWriteArrayList<>();
    assertTrue(view.remoteFor("a.txt") != null, "not hosted before the entity starts");
    ActorRef<ClusterShard.Command> shard = kit.spawn(ClusterShard.create("shard-0", view, dir, started::add));
    TestProbe<FileIndexShard.Applied> applied = kit.createTestProbe();
    shard.tell(new ClusterShard.Apply(1, peer("peer1", 10), "full",
        Map.of("a.txt", new FileMeta(1L, SHA), "b.txt", new FileMeta(2L, SHA)), applied.getRef()));
    assertEquals(2, applied.receiveMessage().added());
    shard.tell(new ClusterShard.Apply(2, peer("peer2", 11), "full", Map.of("b.txt", new FileMeta(2L, SHA)),
        applied.getRef()));
    applied.receiveMessage();
    assertEquals(List.of(0), started, "announced its (empty) start once");
    assertEquals(null, view.remoteFor("a.txt"), "hosted here: local reads");

    TestProbe<ClusterShard.LookupBatchResult> res = kit.createTestProbe();
    shard.tell(new ClusterShard.LookupBatch(5, List.of(SearchQuery.exact("b.txt"), SearchQuery.exact("none"),
        SearchQuery.exact("a.txt")), res.getRef()));
    ClusterShard.LookupBatchResult r = res.receiveMessage();
    assertEquals(5, r.batchId());
    assertEquals(List.of("peer1", "peer2"), r.results().get(0).stream().map(SearchResult::peerId).sorted().toList());
    assertEquals(List.of(), r.results().get(1));
    assertEquals(List.of("peer1"), r.results().get(2).stream().map(SearchResult::peerId).toList());

    TestProbe<ClusterShard.UnderReplicatedResult> under = kit.createTestProbe();
    shard.tell(new ClusterShard.UnderReplicated(2, 100, under.getRef()));
    List<ClusterShard.Entry> entries = under.receiveMessage().entries();
    assertEquals(List.of("a.txt"), entries.stream().map(ClusterShard.Entry::name).toList(), "b.txt has RF 2");

    kit.stop(shard);
    TestProbe<Object> p = kit.createTestProbe();
    p.awaitAssert(() -> {
      assertTrue(view.remoteFor("a.txt") != null, "handed off: no longer hosted");
      assertFalse(view.shardMap(0).containsKey("a.txt"), "and its entries are gone from this node");
      return null;
    });
  }
}
