package io.p2pshare.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the Makefile in a temporary copy of the repository: for real where no container engine
 * or built jar is needed (help, setup, generate-peer1 on the test classpath, clean), as a dry run
 * ({@code make -n}) for the Docker targets.
 */
class MakefileTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();
  /** The reference names plus ours: each must be listed by {@code make help}. */
  private static final List<String> TARGETS = List.of(
      "setup", "generate-peer1", "generate-peer2", "docker-up", "docker-test", "docker-logs",
      "docker-down", "docker-clean", "clean", "build", "test", "demo", "run-index", "run-peer1",
      "run-peer2", "bench-quick", "bench-sweep", "plot", "help");
  /** Dry runs must not depend on whether this machine has the compose plugin. */
  private static final String COMPOSE = "COMPOSE=docker compose";

  @TempDir Path repo;

  @BeforeEach
  void copyRepo() throws IOException {
    for (String f : List.of("Makefile", "docker-compose.yml", "bin/p2pshare",
        "config/config.json", "config/docker.peer.json", "config/docker.server.json",
        "config/logback.xml")) {
      Path to = repo.resolve(f);
      Files.createDirectories(to.getParent());
      Files.copy(ROOT.resolve(f), to);
    }
  }

  @Test
  void helpListsEveryTargetWithOneLine() throws Exception {
    String out = make("help");
    for (String t : TARGETS) {
      long lines = out.lines().filter(l -> l.trim().startsWith(t + " ")).count();
      assertEquals(1, lines, "make help must list '" + t + "' once:\n" + out);
    }
    out.lines().forEach(l -> assertTrue(l.trim().split("\\s+", 2).length == 2,
        "target without a description: " + l));
  }

  @Test
  void everyListedTargetDryRuns() throws Exception {
    for (String t : TARGETS) {
      make("-n", t, COMPOSE); // fails on a missing rule or a syntax error in its recipe
    }
    assertTrue(make("-n", "run-peer1").contains("P2P_LOG_FILE=1 bin/p2pshare peer --peer peer1"));
    assertTrue(make("-n", "bench-sweep").contains("bin/p2pshare bench sweep"));
  }

  @Test
  void testTargetIsPlainMavenTest() throws Exception {
    assertEquals(List.of("mvn -B test"), make("-n", "test").lines().toList());
  }

  @Test
  void setupCreatesDataAndLogDirsAndCleanRemovesThem() throws Exception {
    make("setup");
    for (String p : List.of("peer1", "peer2")) {
      for (String d : List.of("shared", "downloaded", "replicated")) {
        assertTrue(Files.isDirectory(repo.resolve("data/" + p + "/" + d)), p + "/" + d);
      }
      assertTrue(Files.isDirectory(repo.resolve("logs/" + p)));
    }
    assertTrue(Files.isDirectory(repo.resolve("logs/indexing-server")));
    make("setup"); // idempotent

    Files.createDirectories(repo.resolve("bench/results"));
    Files.writeString(repo.resolve("bench/results/run.json"), "{}");
    make("clean");
    for (String gone : List.of("data", "logs", "bench/results", "target")) {
      assertFalse(Files.exists(repo.resolve(gone)), gone + " survived make clean");
    }
  }

  @Test
  void generatePeer1WritesTheContainerDatasetIntoDataPeer1() throws Exception {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    make("generate-peer1", "P2P=" + java + " -cp " + cp + " io.p2pshare.cli.Main", "P2P_DEPS=");
    Path shared = repo.resolve("data/peer1/shared");
    List<Path> files;
    try (Stream<Path> s = Files.list(shared)) {
      files = s.sorted().toList();
    }
    assertEquals(110, files.size(), "100 x 1 KiB + 10 x 1 MiB, no GiB file");
    assertEquals(1024, Files.size(shared.resolve("peer1_kb_0001.txt")));
    assertEquals(1024 * 1024, Files.size(shared.resolve("peer1_mb_0010.bin")));
    assertFalse(Files.exists(shared.resolve("peer1_gb_0001.bin")));
  }

  @Test
  void dockerTargetsDryRun() throws Exception {
    List<String> up = make("-n", "docker-up", COMPOSE).lines().toList();
    assertTrue(up.get(0).startsWith("mkdir -p data/peer1/shared"), "docker-up runs setup first: " + up);
    assertTrue(up.contains("docker compose build"), up.toString());
    assertTrue(up.contains("docker compose run --rm --no-deps -T peer1 generate --peer peer1"
        + " --sizes kb,mb --config /app/config/docker.peer.json"), up.toString());
    assertTrue(up.contains("docker compose up -d"), up.toString());

    String test = make("-n", "docker-test", COMPOSE);
    assertTrue(test.contains("docker compose exec -T peer2 java -jar /app/p2pshare.jar get "
        + "peer1_kb_0001.txt --index indexing-server:7000 --out /app/data/peer2/downloaded"), test);
    assertTrue(test.contains(
        "cmp data/peer1/shared/peer1_kb_0001.txt data/peer2/downloaded/peer1_kb_0001.txt"), test);

    assertEquals(List.of("docker compose down"), make("-n", "docker-down", COMPOSE).lines().toList());
    assertTrue(make("-n", "docker-clean", COMPOSE).contains("--volumes --remove-orphans"));
    assertTrue(make("-n", "docker-logs", COMPOSE).contains("docker compose logs -f"));
  }

  private String make(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("make", "--no-print-directory", "-s"));
    if (args.length > 0 && args[0].equals("-n")) {
      cmd.remove("-s");
    }
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(repo.toFile()).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "make " + String.join(" ", args) + " hung");
    assertEquals(0, p.exitValue(), "make " + String.join(" ", args) + ":\n" + out);
    return out;
  }
}
