package io.p2pshare.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.p2pshare.config.AppConfig;
import io.p2pshare.config.ConfigLoader;
import io.p2pshare.config.PeerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.cluster.yml and config/docker.cluster.*.json describe one index cluster of
 * three nodes and three peers: read them all (as ComposeFileTest does for the single index) and
 * check that the nodes find each other and the peers know every node.
 */
class ClusterComposeFileTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final String SERVER_CONFIG = "/app/config/docker.cluster.server.json";
  private static final String PEER_CONFIG = "/app/config/docker.cluster.peer.json";
  private static final List<String> INDEXES = List.of("index1", "index2", "index3");
  private static final List<String> PEERS = List.of("peer1", "peer2", "peer3");

  static JsonNode compose;
  static AppConfig serverCfg;
  static AppConfig peerCfg;

  @BeforeAll
  static void load() throws Exception {
    compose = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.cluster.yml").toFile());
    serverCfg = ConfigLoader.read(ROOT.resolve("config/docker.cluster.server.json"));
    peerCfg = ConfigLoader.read(ROOT.resolve("config/docker.cluster.peer.json"));
  }

  @Test
  void threeIndexNodesAndThreePeers() {
    assertFalse(compose.has("version"));
    Set<String> names = new TreeSet<>();
    compose.get("services").fieldNames().forEachRemaining(names::add);
    Set<String> expected = new TreeSet<>(INDEXES);
    expected.addAll(PEERS);
    assertEquals(expected, names);
  }

  @Test
  void indexNodesFormOneCluster() {
    AppConfig.Cluster cluster = serverCfg.index().cluster();
    assertTrue(cluster.enabled(), "the cluster server config turns cluster mode on");
    assertEquals("0.0.0.0", serverCfg.server().host());
    int control = serverCfg.server().port();
    Set<String> hostPorts = new HashSet<>();
    String image = null;
    for (String id : INDEXES) {
      JsonNode svc = service(id);
      image = image == null ? svc.get("image").asText() : image;
      assertEquals(image, svc.get("image").asText(), id);
      List<String> cmd = ComposeYaml.strings(svc.get("command"));
      assertEquals(List.of("index", "--config", SERVER_CONFIG, "--cluster"), cmd.subList(0, 4));
      assertEquals(id, flag(cmd, "--node-host"), id + " advertises its service name to the other nodes");
      int nodePort = Integer.parseInt(flag(cmd, "--node-port"));
      assertEquals((int) cluster.nodePort(), nodePort);
      List<String> seeds = List.of(flag(cmd, "--seed-nodes").split(","));
      assertEquals(cluster.seedNodes(), seeds, id + ": flag and config name the same seeds");
      for (String seed : seeds) {
        String[] hp = seed.split(":");
        assertTrue(INDEXES.contains(hp[0]), "seed " + seed + " is an index service");
        assertEquals(nodePort, Integer.parseInt(hp[1]), "seed " + seed + " uses the remoting port");
      }
      assertEquals(INDEXES.get(0), seeds.get(0).split(":")[0], "the first seed bootstraps the cluster");
      assertTrue(seeds.size() >= 2, "a second seed lets nodes join while the first is down");
      List<String> ports = ComposeYaml.strings(svc.get("ports"));
      assertEquals(1, ports.size());
      assertTrue(ports.get(0).endsWith(":" + control), ports.toString());
      assertTrue(hostPorts.add(ports.get(0).split(":")[0]), "host ports differ: " + ports);
      assertTrue(ComposeYaml.strings(svc.get("volumes")).contains("./config/docker.cluster.server.json:" + SERVER_CONFIG + ":ro"));
      assertEquals(List.of("CMD", "java", "-jar", "/app/p2pshare.jar", "stats", "--index", "localhost:" + control),
          ComposeYaml.strings(svc.get("healthcheck").get("test")));
      assertEquals(SERVER_CONFIG, svc.path("environment").path(ConfigLoader.ENV_CONFIG).asText());
      assertNotEquals("0:0", svc.path("user").asText());
    }
    assertTrue(Files.isRegularFile(ROOT.resolve(service("index1").get("build").get("dockerfile").asText())));
  }

  @Test
  void peersKnowEveryIndexNodeAndFailOver() {
    int control = serverCfg.server().port();
    List<String> all = new ArrayList<>();
    for (String id : INDEXES) {
      all.add(id + ":" + control);
    }
    String list = String.join(",", all);
    assertEquals(all, peerCfg.peer().index(), "peer.index lists every node");
    assertEquals(3, new ConfigLoader(Map.of()).indexEndpoints(null, peerCfg).size());
    for (String id : PEERS) {
      JsonNode peer = service(id);
      List<String> cmd = ComposeYaml.strings(peer.get("command"));
      assertEquals(List.of("peer", "--peer", id, "--headless", "--config", PEER_CONFIG), cmd.subList(0, 6));
      assertEquals(list, flag(cmd, "--index"));
      assertEquals(list, peer.path("environment").path(ConfigLoader.ENV_INDEX).asText());
      assertEquals(id, peer.path("environment").path(ConfigLoader.ENV_ADVERTISE_HOST).asText());
      assertEquals("service_healthy", peer.path("depends_on").path("index1").path("condition").asText());
      int port = PeerSettings.derivePort(id, peerCfg.peer().basePort());
      assertEquals(List.of(port + ":" + port), ComposeYaml.strings(peer.get("ports")));
      AppConfig.PeerDirs dirs = peerCfg.data().peers().get(id);
      assertNotNull(dirs, "docker.cluster.peer.json has no data.peers." + id);
      String target = ComposeYaml.mountTarget(peer, "./data/" + id);
      for (String d : List.of(dirs.sharedDir(), dirs.downloadDir(), dirs.replicatedDir())) {
        assertTrue(d.startsWith(target + "/"), d + " is outside the mount " + target);
      }
      assertTrue(ComposeYaml.strings(peer.get("volumes")).contains("./config/docker.cluster.peer.json:" + PEER_CONFIG + ":ro"));
    }
  }

  private static String flag(List<String> cmd, String name) {
    int i = cmd.indexOf(name);
    assertTrue(i >= 0 && i + 1 < cmd.size(), "missing " + name + " in " + cmd);
    return cmd.get(i + 1);
  }

  private static JsonNode service(String name) {
    return ComposeYaml.service(compose, name);
  }
}
