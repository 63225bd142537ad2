package io.p2pshare.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.SerializationTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.serialization.jackson.JacksonCborSerializer;
import com.typesafe.config.ConfigFactory;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.protocol.ReplicationTask;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every message that crosses index nodes survives Akka's jackson-cbor serializer (Akka 2.8.5's
 * akka-serialization-jackson running on Jackson 2.17.2): records, nested protocol records, maps,
 * typed ActorRefs. Uses exactly the bindings {@link ClusterSettings} puts in cluster mode.
 */
class ClusterSerializationTest {
  static final ActorTestKit testKit = ActorTestKit.create("ser", ConfigFactory.parseMap(Map.of(
      "akka.actor.serialization-bindings.\"" + ClusterSerializable.class.getName() + "\"", "jackson-cbor",
      "akka.actor.allow-java-serialization", "off",
      "akka.actor.serialize-messages", "off")).withFallback(ConfigFactory.load()));
  static final SerializationTestKit ser = new SerializationTestKit(testKit.system());
  static final String SHA = "0f".repeat(32);

  @AfterAll
  static void cleanup() {
    testKit.shutdownTestKit();
  }

  private static <T> T roundTrip(T msg) {
    assertEquals(JacksonCborSerializer.class,
        akka.serialization.SerializationExtension.get(testKit.system()).findSerializerFor(msg).getClass());
    return ser.verifySerialization(msg, true);
  }

  @Test
  void shardCommandsAndRepliesRoundTrip() {
    TestProbe<FileIndexShard.Applied> applied = testKit.createTestProbe();
    TestProbe<ClusterShard.LookupResult> lookup = testKit.createTestProbe();
    TestProbe<ClusterShard.UnderReplicatedResult> under = testKit.createTestProbe();
    TestProbe<FileIndexShard.ScanResult> scan = testKit.createTestProbe();
    PeerInfo p = new PeerInfo("peer1", "127.0.0.1", 7100, true, true, 42L, "akka://p2pshare-index@h:1");
    Map<String, FileMeta> files = new LinkedHashMap<>();
    files.put("peer1_kb_0001.txt", new FileMeta(1024L, SHA));
    files.put("no-meta.txt", new FileMeta(null, null));
    roundTrip(new ClusterShard.Apply(7, p, "full", files, applied.getRef()));
    roundTrip(new ClusterShard.RemovePeer(0, p, null));
    roundTrip(new ClusterShard.Scan("kb", 1L, null, 100, scan.getRef()));
    roundTrip(new ClusterShard.Lookup(SearchQuery.exact("peer1_kb_0001.txt"), lookup.getRef()));
    roundTrip(new ClusterShard.UnderReplicated(2, 100, under.getRef()));
    SearchResult r = new SearchResult("peer1", new PeerAddress("peer1", "127.0.0.1", 7100),
        new FileMeta(1024L, SHA), null);
    roundTrip(new ClusterShard.LookupResult(List.of(r)));
    TestProbe<ClusterShard.LookupBatchResult> batch = testKit.createTestProbe();
    roundTrip(new ClusterShard.LookupBatch(9, List.of(SearchQuery.exact("a"), SearchQuery.exact("b")), batch.getRef()));
    roundTrip(new ClusterShard.LookupBatchResult(9, List.of(List.of(r), List.of())));
    roundTrip(new ClusterShard.UnderReplicatedResult(3, List.of(new ClusterShard.Entry("a.txt",
        List.of(p), List.of(new FileMeta(5L, SHA))))));
    roundTrip(new FileIndexShard.Applied(7, 3, 10, 1, 9));
    TestProbe<ClusterShard.ShardCounts> counts = testKit.createTestProbe();
    roundTrip(new ClusterShard.GetCounts(2, counts.getRef()));
    roundTrip(new ClusterShard.ShardCounts(10, 12, 3, List.of("peer1", "peer2")));
    roundTrip(new FileIndexShard.ScanResult(3, List.of(r)));
    FileIndexShard.PeerLoad load = ser.verifySerialization(
        new FileIndexShard.PeerLoad(1, Map.of("peer1", new long[] {3, 3072})), false);
    assertArrayEquals(new long[] {3, 3072}, load.filesAndBytes().get("peer1"));
  }

  @Test
  void bridgeEventsRoundTrip() {
    PeerInfo p = new PeerInfo("peer2", "10.0.0.2", 7101, false, true, 43L, "akka://p2pshare-index@h:2");
    roundTrip(new ClusterBridge.PeerUpdate(ClusterBridge.Kind.DEAD, p));
    roundTrip(new ClusterBridge.TaskReport("o", "peer2", "t1", "a.txt", "failed", "disk full"));
    roundTrip(new ClusterBridge.ShardStarted("o", 5));
    roundTrip(new ClusterBridge.PeerDigest("o", List.of(p, new PeerInfo("peer3", "h", 1, true, false, 44L, "o"))));
    roundTrip(new ClusterBridge.Deliver("peer2", List.of(new ReplicationTask("t1", "a.txt", 5L, SHA,
        new PeerAddress("peer1", "127.0.0.1", 7100)))));
  }
}
