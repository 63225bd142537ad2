package io.p2pshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import io.p2pshare.config.AppConfig;
import io.p2pshare.index.ControlServer;
import io.p2pshare.index.IndexGuardian;
import io.p2pshare.protocol.Wire;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code search}, {@code stats} and {@code index} as a user runs them (in-process, output captured). */
class IndexCliTest {
  static ActorSystem<IndexGuardian.Command> system;
  static String index;

  @BeforeAll
  static void start() throws Exception {
    system = ActorSystem.create(IndexGuardian.create(
        new IndexGuardian.Settings("127.0.0.1", 0, AppConfig.defaults(), null)), "cli-it");
    ControlServer.Binding b = AskPattern.<IndexGuardian.Command, ControlServer.Binding>ask(system,
        IndexGuardian.GetBinding::new, Duration.ofSeconds(30), system.scheduler()).toCompletableFuture().get();
    InetSocketAddress at = ((ControlServer.Bound) b).address();
    index = "127.0.0.1:" + at.getPort();
    try (Socket s = new Socket(at.getAddress(), at.getPort())) {
      s.getOutputStream().write(("{\"type\":\"REGISTRY_REQUEST\",\"peer_id\":\"peer2\",\"payload\":{\"files\":{"
          + "\"peer2_kb_0050.txt\":{\"size_bytes\":1024,\"sha256\":\"" + "ab".repeat(32) + "\"}}}}\n")
          .getBytes(StandardCharsets.UTF_8));
      while (s.getInputStream().read() != '\n') {
        // wait for the reply
      }
    }
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  record Run(int code, String out, String err) {}

  static synchronized Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      var cl = Main.commandLine();
      cl.setErr(new java.io.PrintWriter(System.err, true));
      int code = cl.execute(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void search_prints_holders_like_the_reference() {
    Run r = run("search", "peer2_kb_0050.txt", "--index", index);
    assertEquals(0, r.code(), r.err());
    assertEquals("Peers serving 'peer2_kb_0050.txt':\n  - peer2 @ 127.0.0.1:7101 (1024 bytes, sha256 abababababab)\n",
        r.out());
  }

  @Test
  void search_json_prints_the_payload() throws Exception {
    Run r = run("search", "peer2_kb_0050.txt", "--index", index, "--json");
    assertEquals(0, r.code());
    var json = Wire.MAPPER.readTree(r.out());
    assertEquals("ok", json.get("status").asText());
    assertEquals(7101, json.at("/results/0/peer/port").asInt());
  }

  @Test
  void search_contains() {
    Run r = run("search", "KB_00", "--contains", "--index", index);
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("Files matching 'KB_00' (1):\n  - peer2_kb_0050.txt  peer2 @ 127.0.0.1:7101"), r.out());
  }

  @Test
  void nothing_found_or_unreachable_exit_1_with_one_line() throws IOException {
    Run r = run("search", "nope.txt", "--index", index);
    assertEquals(1, r.code());
    // (stderr may also carry the fuzzing agent's instrumentation chatter in this JVM)
    assertTrue(r.err().lines().anyMatch(l -> l.equals("No peers serving 'nope.txt'.")), r.err());
    int free;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      free = s.getLocalPort();
    }
    r = run("search", "x", "--index", "127.0.0.1:" + free);
    assertEquals(1, r.code());
    List<String> errors = r.err().lines().filter(l -> l.startsWith("error:")).toList();
    assertEquals(1, errors.size(), r.err());
    assertTrue(errors.get(0).startsWith("error: index unreachable at 127.0.0.1:" + free), r.err());
    r = run("stats", "--index", "127.0.0.1:" + free);
    assertEquals(1, r.code());
  }

  @Test
  void stats_human_and_json() throws Exception {
    Run r = run("stats", "--index", index);
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("Peers: 1 live, 0 dead"), r.out());
    assertTrue(r.out().contains("Files: 1 (1 holder entries), under-replicated: 1"), r.out());
    r = run("stats", "--index", index, "--json");
    var json = Wire.MAPPER.readTree(r.out());
    assertEquals(1, json.get("peers_live").asInt());
    assertEquals(0, json.at("/tasks/queued").asInt());
  }

  @Test
  void index_on_a_busy_port_fails_with_one_line() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Run r = run("index", "--host", "127.0.0.1", "--port", Integer.toString(taken.getLocalPort()));
      assertEquals(1, r.code());
      assertTrue(r.err().lines().anyMatch(l -> l.startsWith("error: cannot listen on 127.0.0.1:"
          + taken.getLocalPort()) && l.contains("already in use")), r.err());
    }
  }
}
