package io.p2pshare.index;

import static io.p2pshare.index.IndexFixture.files;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchResponse;
import io.p2pshare.protocol.SearchResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Shard routing, exact search from one shard, scatter/gather for contains with limit. */
class SearchRouterTest {
  static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void cleanup() {
    kit.shutdownTestKit();
  }

  @Test
  void each_name_lands_in_the_shard_the_routing_function_names() {
    IndexFixture f = new IndexFixture(kit, 8);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      names.add(String.format("peer1_kb_%04d.txt", i));
    }
    f.token(f.register("peer1", files(names.toArray(String[]::new)), null, null));
    int[] perShard = new int[8];
    for (String n : names) {
      int k = f.routing.shardOf(n);
      assertTrue(f.view.shardMap(k).containsKey(n), n);
      for (int other = 0; other < 8; other++) {
        assertEquals(other == k, f.view.shardMap(other).containsKey(n));
      }
      perShard[k]++;
    }
    for (int c : perShard) {
      assertTrue(c > 5, "names spread over all shards: " + java.util.Arrays.toString(perShard));
    }
    assertEquals("shard-3", ShardRouting.entityId(3));
    assertEquals(new ShardRouting(8).shardOf("x.bin"), new ShardRouting(8).shardOf("x.bin"));
  }

  @Test
  void exact_search_returns_live_holders_with_meta() {
    IndexFixture f = new IndexFixture(kit, 4);
    String sha = "0123456789abcdef".repeat(4);
    f.token(f.register("peer2", Map.of("peer2_kb_0050.txt", new FileMeta(1024L, sha)), null, null));
    f.token(f.register("peer3", Map.of("peer2_kb_0050.txt", new FileMeta(1024L, sha)), null, null));
    ActorRef<SearchRouter.Command> router = kit.spawn(SearchRouter.create(f.view, f.shards, Duration.ofSeconds(10)));
    TestProbe<SearchResponse> p = kit.createTestProbe();
    router.tell(new SearchRouter.Search(SearchQuery.exact("peer2_kb_0050.txt"), p.getRef()));
    SearchResponse r = p.receiveMessage();
    assertEquals("peer2_kb_0050.txt", r.fileName());
    assertEquals(List.of("peer2", "peer3"), r.results().stream().map(SearchResult::peerId).sorted().toList());
    assertEquals(new FileMeta(1024L, sha), r.results().get(0).meta());
    assertNull(r.results().get(0).fileName(), "exact results keep the base shape");
    router.tell(new SearchRouter.Search(SearchQuery.exact("nope"), p.getRef()));
    assertEquals(List.of(), p.receiveMessage().results());
  }

  @Test
  void contains_scatters_over_shards_and_cuts_at_the_limit() {
    IndexFixture f = new IndexFixture(kit, 8);
    Map<String, FileMeta> files = new LinkedHashMap<>();
    for (int i = 0; i < 60; i++) {
      files.put(String.format("Peer1_KB_%04d.txt", i), new FileMeta(1024L, null));
      files.put(String.format("peer1_mb_%04d.bin", i), new FileMeta(1048576L, null));
    }
    f.token(f.register("peer1", files, null, null));
    f.token(f.register("peer2", files("peer1_kb_0007.txt", "other.txt"), null, null));
    ActorRef<SearchRouter.Command> router = kit.spawn(SearchRouter.create(f.view, f.shards, Duration.ofSeconds(10)));
    TestProbe<SearchResponse> p = kit.createTestProbe();

    router.tell(new SearchRouter.Search(SearchQuery.contains("_kb_", 10), p.getRef()));
    SearchResponse r = p.receiveMessage();
    assertEquals(10, r.results().size());
    assertTrue(r.truncated());
    List<String> got = r.results().stream().map(SearchResult::fileName).toList();
    assertEquals(got.stream().sorted().toList(), got, "ordered by name");
    assertEquals("Peer1_KB_0000.txt", got.get(0), "case-insensitive, first names first");

    router.tell(new SearchRouter.Search(SearchQuery.contains("KB", 1000), p.getRef()));
    r = p.receiveMessage();
    assertEquals(61, r.results().size(), "60 + the lower-case copy on peer2");
    assertFalse(r.truncated());

    router.tell(new SearchRouter.Search(new SearchQuery(null, "peer1", 2000L, null, 1000), p.getRef()));
    r = p.receiveMessage();
    assertEquals(60, r.results().size(), "min_size keeps only the 1 MiB files");
    assertTrue(r.results().stream().allMatch(x -> x.fileName().endsWith(".bin")));

    router.tell(new SearchRouter.Search(new SearchQuery(null, "peer1", null, 1024L, 5), p.getRef()));
    r = p.receiveMessage();
    assertEquals(5, r.results().size());
    assertTrue(r.truncated());
  }

  @Test
  void a_shard_that_does_not_answer_gives_a_partial_truncated_reply() {
    TestProbe<FileIndexShard.Command> silent = kit.createTestProbe();
    IndexFixture f = new IndexFixture(kit, 2);
    f.token(f.register("peer1", files("abc1", "abc2", "abc3"), null, null));
    List<ActorRef<FileIndexShard.Command>> shards = new ArrayList<>(f.shards);
    shards.add(silent.getRef());
    ActorRef<SearchRouter.Command> router = kit.spawn(SearchRouter.create(f.view, shards, Duration.ofMillis(300)));
    TestProbe<SearchResponse> p = kit.createTestProbe();
    router.tell(new SearchRouter.Search(SearchQuery.contains("abc", 10), p.getRef()));
    SearchResponse r = p.receiveMessage(Duration.ofSeconds(20));
    assertEquals(3, r.results().size());
    assertTrue(r.truncated());
  }
}
