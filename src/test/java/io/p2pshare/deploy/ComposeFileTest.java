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
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml, config/docker.*.json and docker/Dockerfile describe one cluster: this
 * reads all of them and checks that they agree, so a port or path changed in one place fails
 * here instead of in a container.
 */
class ComposeFileTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final String JAR = "/app/p2pshare.jar";
  private static final String SERVER_CONFIG = "/app/config/docker.server.json";
  private static final String PEER_CONFIG = "/app/config/docker.peer.json";

  static JsonNode compose;
  static AppConfig serverCfg;
  static AppConfig peerCfg;

  @BeforeAll
  static void load() throws Exception {
    compose = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile());
    serverCfg = ConfigLoader.read(ROOT.resolve("config/docker.server.json"));
    peerCfg = ConfigLoader.read(ROOT.resolve("config/docker.peer.json"));
  }

  @Test
  void exactlyTheReferenceServicesAndNoObsoleteVersionKey() {
    assertFalse(compose.has("version"), "the Compose spec dropped 'version:'");
    Set<String> names = new TreeSet<>();
    compose.get("services").fieldNames().forEachRemaining(names::add);
    assertEquals(Set.of("indexing-server", "peer1", "peer2"), names);
  }

  @Test
  void indexServiceMatchesServerConfig() {
    JsonNode index = service("indexing-server");
    int port = serverCfg.server().port();
    assertEquals(7000, port);
    assertEquals("0.0.0.0", serverCfg.server().host(), "the index must listen beyond loopback");
    assertEquals(List.of("index", "--config", SERVER_CONFIG), ComposeYaml.strings(index.get("command")));
    assertTrue(ComposeYaml.strings(index.get("ports")).contains(port + ":" + port), index.get("ports").toString());
    assertReadOnlyMount(index, "./config/docker.server.json", SERVER_CONFIG);
    assertEquals(serverCfg.logging().dir(), ComposeYaml.mountTarget(index, "./logs/indexing-server"));

    JsonNode health = index.get("healthcheck");
    assertNotNull(health, "indexing-server needs a healthcheck");
    assertEquals(List.of("CMD", "java", "-jar", JAR, "stats", "--index", "localhost:" + port),
        ComposeYaml.strings(health.get("test")));
    assertTrue(health.has("interval") && health.has("retries"), health.toString());

    JsonNode build = index.get("build");
    assertEquals(".", build.get("context").asText());
    assertTrue(Files.isRegularFile(ROOT.resolve(build.get("dockerfile").asText())));
  }

  @Test
  void peerServicesMatchPeerConfig() {
    String image = service("indexing-server").get("image").asText();
    for (String id : List.of("peer1", "peer2")) {
      JsonNode peer = service(id);
      assertEquals(image, peer.get("image").asText(), id + " runs the image the index builds");
      assertEquals(List.of("peer", "--peer", id, "--headless", "--config", PEER_CONFIG,
              "--index", "indexing-server:" + serverCfg.server().port()),
          ComposeYaml.strings(peer.get("command")));
      assertEquals("service_healthy",
          peer.path("depends_on").path("indexing-server").path("condition").asText(), id);

      int port = PeerSettings.derivePort(id, peerCfg.peer().basePort());
      assertEquals(id.equals("peer1") ? 7100 : 7101, port);
      assertEquals(List.of(port + ":" + port), ComposeYaml.strings(peer.get("ports")));

      assertReadOnlyMount(peer, "./config/docker.peer.json", PEER_CONFIG);
      // Every directory the config gives this peer lies inside its ./data/peerN mount.
      String dataTarget = ComposeYaml.mountTarget(peer, "./data/" + id);
      AppConfig.PeerDirs dirs = peerCfg.data().peers().get(id);
      assertNotNull(dirs, "docker.peer.json has no data.peers." + id);
      for (String d : List.of(dirs.sharedDir(), dirs.downloadDir(), dirs.replicatedDir())) {
        assertTrue(d.startsWith(dataTarget + "/"), d + " is outside the mount " + dataTarget);
      }
      assertEquals(peerCfg.logging().dir(), ComposeYaml.mountTarget(peer, "./logs/" + id));

      JsonNode env = peer.get("environment");
      assertEquals(id, env.path(ConfigLoader.ENV_ADVERTISE_HOST).asText(),
          "a peer advertises its service name, which other containers resolve");
      assertEquals("indexing-server:" + serverCfg.server().port(),
          env.path(ConfigLoader.ENV_INDEX).asText());
      assertEquals(PEER_CONFIG, env.path(ConfigLoader.ENV_CONFIG).asText());
      assertNotEquals("0:0", peer.path("user").asText());
    }
  }

  @Test
  void peerConfigPointsAtTheIndexServiceAndHasTheSmallDataset() {
    assertEquals("indexing-server", peerCfg.server().host());
    assertEquals(serverCfg.server().port(), peerCfg.server().port());
    assertEquals("0.0.0.0", peerCfg.peer().host(), "peers listen on every interface in a container");
    AppConfig.FileGeneration gen = peerCfg.data().fileGeneration();
    assertEquals(100, gen.kb().count());
    assertEquals(1024L, gen.kb().sizeBytes());
    assertEquals(10, gen.mb().count());
    assertEquals(1024L * 1024, gen.mb().sizeBytes());
    assertEquals(0, gen.gb().count(), "no 1 GiB file in the container dataset");
    assertEquals(1024L * 1024, peerCfg.logging().maxBytes());
    assertEquals(5, peerCfg.logging().backupCount());
  }

  @Test
  void dockerfileIsMultiStageNonRootWithTheOneJar() throws Exception {
    String dockerfile = Files.readString(ROOT.resolve("docker/Dockerfile"));
    List<String> froms = matches(dockerfile, "(?m)^FROM\\s+(\\S+)");
    assertEquals(2, froms.size(), "build stage + runtime stage");
    assertTrue(dockerfile.contains("ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17"), dockerfile);
    assertTrue(dockerfile.contains("ARG RUNTIME_IMAGE=eclipse-temurin:17-jre"), dockerfile);
    List<String> users = matches(dockerfile, "(?m)^USER\\s+(\\S+)");
    assertEquals(1, users.size());
    assertNotEquals("root", users.get(0));
    assertNotEquals("0", users.get(0));

    String entrypoint = matches(dockerfile, "(?ms)^ENTRYPOINT\\s+(\\[.*?\\])\\s*$").get(0)
        .replace("\\\n", "");
    List<String> argv = ComposeYaml.strings(new ObjectMapper().readTree(entrypoint));
    assertEquals("java", argv.get(0));
    assertEquals(List.of("-jar", JAR), argv.subList(argv.size() - 2, argv.size()));
    assertTrue(argv.contains("-Dlogback.configurationFile=/app/config/logback.xml"), argv.toString());
    // Each file the image copies from config/ exists, and the mounted configs are in it too.
    for (String copied : matches(dockerfile, "(?m)^COPY\\s+(config/[^\\n]*)\\s+/app/config/")) {
      for (String f : copied.trim().split("\\s+")) {
        assertTrue(Files.isRegularFile(ROOT.resolve(f)), f);
      }
    }
    assertTrue(dockerfile.contains("config/docker.server.json")
        && dockerfile.contains("config/docker.peer.json"));
  }

  @Test
  void dockerignoreKeepsTheBuildInputs() throws Exception {
    List<String> lines = Files.readAllLines(ROOT.resolve(".dockerignore"));
    assertTrue(lines.containsAll(List.of("*", "!pom.xml", "!src/main", "!config")), lines.toString());
  }

  // ---- helpers ----

  private static JsonNode service(String name) {
    return ComposeYaml.service(compose, name);
  }

  private static void assertReadOnlyMount(JsonNode svc, String source, String target) {
    assertTrue(ComposeYaml.strings(svc.get("volumes")).contains(source + ":" + target + ":ro"),
        source + " must be mounted read-only at " + target + ": " + svc.get("volumes"));
    assertTrue(Files.isRegularFile(ROOT.resolve(source)), source);
  }

  private static List<String> matches(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
