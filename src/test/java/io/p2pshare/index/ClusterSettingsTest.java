package io.p2pshare.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.p2pshare.config.AppConfig;
import io.p2pshare.config.ConfigLoader;
import io.p2pshare.config.Endpoint;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterSettingsTest {

  @Test
  void clusterConfigIsBuiltInCodeWithKeepMajority() {
    Config c = new ClusterSettings("10.0.0.1", 2552, List.of("10.0.0.1:2552", "10.0.0.2:2552"), null).akkaConfig();
    assertEquals("cluster", c.getString("akka.actor.provider"));
    assertEquals("10.0.0.1", c.getString("akka.remote.artery.canonical.hostname"));
    assertEquals(2552, c.getInt("akka.remote.artery.canonical.port"));
    assertEquals(List.of("akka://p2pshare-index@10.0.0.1:2552", "akka://p2pshare-index@10.0.0.2:2552"),
        c.getStringList("akka.cluster.seed-nodes"));
    assertEquals("akka.cluster.sbr.SplitBrainResolverProvider", c.getString("akka.cluster.downing-provider-class"));
    assertEquals("keep-majority", c.getString("akka.cluster.split-brain-resolver.active-strategy"));
    assertEquals("20s", c.getString("akka.cluster.split-brain-resolver.stable-after"));
    assertEquals("jackson-cbor", c.getConfig("akka.actor.serialization-bindings")
        .getString("\"" + ClusterSerializable.class.getName() + "\""));
    assertEquals("none", c.getString("akka.cluster.sharding.passivation.strategy"));
    assertEquals(1, c.getInt("akka.cluster.min-nr-of-members"));
    assertEquals(3, new ClusterSettings("h", 0, List.of(), null, 3).akkaConfig().getInt("akka.cluster.min-nr-of-members"));
    // application.conf still applies underneath
    assertEquals("DEBUG", c.getString("akka.loglevel"));
  }

  @Test
  void plainIndexNeedsNoClusterConfig() {
    Config plain = ConfigFactory.load();
    assertEquals("local", plain.getString("akka.actor.provider"));
    assertTrue(plain.getStringList("akka.cluster.seed-nodes").isEmpty());
    AppConfig.Cluster d = AppConfig.defaults().index().cluster();
    assertFalse(d.enabled());
    assertEquals(2552, d.nodePort());
    assertTrue(d.seedNodes().isEmpty());
  }

  @Test
  void clusterKeysInConfigJson() {
    AppConfig cfg = ConfigLoader.parse("{\"index\":{\"shards\":8,\"cluster\":{\"enabled\":true,\"host\":\"index1\","
        + "\"node_port\":2600,\"seed_nodes\":[\"index1:2600\",\"index2:2600\"],\"min_members\":2}},"
        + "\"peer\":{\"index\":[\"index1:7000\",\"index2:7000\"]}}", "t");
    assertEquals(8, cfg.index().shards());
    AppConfig.Cluster c = cfg.index().cluster();
    assertTrue(c.enabled());
    assertEquals("index1", c.host());
    assertEquals(2600, c.nodePort());
    assertEquals(List.of("index1:2600", "index2:2600"), c.seedNodes());
    assertEquals(2, c.minMembers());
    assertEquals(List.of(new Endpoint("index1", 7000), new Endpoint("index2", 7000)),
        new ConfigLoader(Map.of()).indexEndpoints(null, cfg));
  }

  @Test
  void indexListsFromFlagAndEnvironment() {
    AppConfig cfg = AppConfig.defaults();
    ConfigLoader loader = new ConfigLoader(Map.of("P2P_INDEX", "a:1,b:2"));
    assertEquals(List.of(new Endpoint("a", 1), new Endpoint("b", 2)), loader.indexEndpoints(null, cfg));
    assertEquals(List.of(new Endpoint("c", 3), new Endpoint("d", 4)), loader.indexEndpoints("c:3, d:4", cfg));
    assertEquals(new Endpoint("c", 3), loader.indexEndpoint("c:3,d:4", cfg), "single-address callers take the first");
    assertEquals(List.of(new Endpoint("127.0.0.1", 7000)), new ConfigLoader(Map.of()).indexEndpoints(null, cfg));
  }

  @Test
  void entityIdsMapOneToOneOnAkkaShards() {
    ClusterIndexGuardian.OneEntityPerShard x = new ClusterIndexGuardian.OneEntityPerShard(16);
    for (int k = 0; k < 16; k++) {
      assertEquals(Integer.toString(k), x.shardId(ShardRouting.entityId(k)));
    }
  }
}
