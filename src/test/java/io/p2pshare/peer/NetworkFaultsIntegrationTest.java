package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.p2pshare.protocol.FrameSocket;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchRequest;
import io.p2pshare.protocol.Wire;
import io.p2pshare.testing.IndexProcess;
import io.p2pshare.testing.JavaProcess;
import io.p2pshare.transfer.PieceHasher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, network faults between real processes: two peers, each in its own network namespace
 * (veth pairs into a bridge in a third, "hub" namespace that also routes to the index in the
 * root namespace), with a qdisc on each peer's link. peer2 replicates peer1's files (RF 2) and a
 * {@code get} in the hub namespace downloads them from both (every byte crosses a shaped link);
 * everything must arrive and verify.
 * <ul>
 *   <li>{@link #rateLimitedLinks} shapes both links with {@code tbf} (rate + queueing delay).
 *   <li>{@link #delayAndLoss} adds {@code netem} delay and 1 % loss; kernels without
 *       {@code sch_netem} (this one: "Specified qdisc kind is unknown") skip it with a message.
 * </ul>
 * Both skip without root or without {@code ip}/{@code tc}; the namespaces are always removed.
 */
class NetworkFaultsIntegrationTest {
  static final long PIECE = 1L << 20;

  @Test
  void rateLimitedLinks(@TempDir Path tmp) throws Exception {
    try (Topology t = Topology.create()) {
      Assumptions.assumeTrue(t.qdisc("tbf", "rate", "24mbit", "burst", "64kb", "latency", "200ms"),
          "skipped: tc cannot add a tbf qdisc here");
      run(tmp, t);
    }
  }

  @Test
  void delayAndLoss(@TempDir Path tmp) throws Exception {
    try (Topology t = Topology.create()) {
      Assumptions.assumeTrue(t.qdisc("netem", "delay", "20ms", "5ms", "loss", "1%"),
          "skipped: this kernel has no sch_netem ('tc qdisc add ... netem' says 'Specified qdisc kind "
              + "is unknown'); the namespace test with tbf shaping (rateLimitedLinks) still runs");
      run(tmp, t);
    }
  }

  private static void run(Path tmp, Topology t) throws Exception {
    Path data = tmp.resolve("data");
    Map<String, String> sha = new TreeMap<>();
    Random rnd = new Random(9);
    long[] sizes = {40_000, 900_000, 6L << 20};
    for (int i = 0; i < sizes.length; i++) {
      String name = String.format("peer1_ns_%02d.bin", i);
      Path f = PeerProcessIntegrationTest.random(data.resolve("peer1/shared"), name, sizes[i], rnd.nextLong());
      sha.put(name, PieceHasher.hash(f, PIECE).sha256());
    }
    String cfgJson = "{\"replication\":{\"heartbeat_interval_ms\":1000,\"peer_expiry_ms\":10000},"
        + "\"peer\":{\"piece_size_bytes\":1048576}}";
    Path cfg = Files.writeString(tmp.resolve("config.json"), cfgJson);
    List<Process> procs = new ArrayList<>();
    try (IndexProcess index = new IndexProcess(tmp.resolve("index"), cfgJson, t.indexHost()).start()) {
      for (int p = 1; p <= 2; p++) {
        procs.add(t.java(p, tmp.resolve("peer" + p + ".out"), tmp.resolve("peer" + p + ".log"),
            "peer", "--peer", "peer" + p, "--headless", "--port", "0", "--data-dir", data.toString(),
            "--index", index.address(), "--config", cfg.toString(), "--rescan-ms", "500"));
      }
      // Replication across the shaped links: every file on both peers.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!sha.keySet().stream().allMatch(n -> holders(index, n) == 2)) {
        assertTrue(System.nanoTime() < deadline,
            "peer1's files never reached peer2 across the namespaces; logs in " + tmp);
        Thread.sleep(200);
      }
      for (Map.Entry<String, String> e : sha.entrySet()) {
        Path copy = data.resolve("peer2/replicated").resolve(e.getKey());
        assertEquals(e.getValue(), PieceHasher.hash(copy, PIECE).sha256(), copy.toString());
      }
      // A download from the hub namespace: whichever peer serves a piece, it crosses a shaped link.
      Path out = tmp.resolve("got");
      List<String> args = new ArrayList<>(List.of("get"));
      args.addAll(sha.keySet());
      args.addAll(List.of("--index", index.address(), "--out", out.toString(), "--json",
          "--config", cfg.toString()));
      Process get = t.java(0, tmp.resolve("get.out"), tmp.resolve("get.err"), args.toArray(String[]::new));
      procs.add(get);
      assertTrue(get.waitFor(180, TimeUnit.SECONDS), "get finished");
      assertEquals(0, get.exitValue(), Files.readString(tmp.resolve("get.err")));
      JsonNode doc = Wire.MAPPER.readTree(Files.readString(tmp.resolve("get.out")));
      assertEquals(sha.size(), doc.get("files").size());
      for (Map.Entry<String, String> e : sha.entrySet()) {
        assertEquals(e.getValue(), PieceHasher.hash(out.resolve(e.getKey()), PIECE).sha256(), e.getKey());
      }
      System.out.println("netns: " + t.describe() + ": get " + doc.get("bytes") + " bytes in "
          + doc.get("seconds") + " s");
    } finally {
      for (Process p : procs) {
        p.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
      }
    }
  }

  private static int holders(IndexProcess index, String name) {
    try (FrameSocket s = FrameSocket.connect(index.address().split(":")[0], index.port(), 5000, "t")) {
      JsonNode r = s.request(MessageType.SEARCH_REQUEST, new SearchRequest(SearchQuery.exact(name))).payload();
      return r.get("results").size();
    } catch (Exception e) {
      return -1;
    }
  }

  /**
   * Namespaces {@code p2pa-S} and {@code p2pb-S} (one peer each) joined by veth pairs to a bridge
   * in {@code p2ph-S}, which forwards (its own ip_forward) to a veth pair into the root namespace,
   * where the index listens. Nothing in the root namespace changes but one link and one route.
   */
  static final class Topology implements AutoCloseable {
    final String s;
    final int net;
    final List<String> qdiscs = new ArrayList<>();

    private Topology(String suffix, int net) {
      this.s = suffix;
      this.net = net;
    }

    static Topology create() throws Exception {
      Assumptions.assumeTrue("0".equals(out("id", "-u").strip()), "skipped: network namespaces need root");
      Assumptions.assumeTrue(sh("ip", "-V") == 0 && sh("tc", "-V") == 0, "skipped: iproute2 (ip, tc) not found");
      String routes = out("ip", "route");
      Random r = new Random();
      int net;
      do {
        net = 1 + r.nextInt(250);
      } while (routes.contains("10.231." + net + ".") || routes.contains("10.232." + net + "."));
      Topology t = new Topology(Integer.toHexString(0x1000 + r.nextInt(0xefff)), net);
      try {
        t.build();
      } catch (Exception | AssertionError e) {
        t.close();
        Assumptions.abort("skipped: cannot build network namespaces here: " + e.getMessage());
      }
      return t;
    }

    String ns(String role) {
      return "p2p" + role + "-" + s;
    }

    String lan(int host) {
      return "10.231." + net + "." + host;
    }

    String indexHost() {
      return "10.232." + net + ".1";
    }

    private void build() throws Exception {
      String hub = ns("h");
      must("ip", "netns", "add", hub);
      must("ip", "-n", hub, "link", "set", "lo", "up");
      must("ip", "-n", hub, "link", "add", "br0", "type", "bridge");
      must("ip", "-n", hub, "addr", "add", lan(254) + "/24", "dev", "br0");
      must("ip", "-n", hub, "link", "set", "br0", "up");
      must("ip", "netns", "exec", hub, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
      for (int p = 1; p <= 2; p++) {
        String role = p == 1 ? "a" : "b";
        String n = ns(role);
        String inner = "p" + role + "0-" + s;
        String outer = "p" + role + "1-" + s;
        must("ip", "netns", "add", n);
        must("ip", "-n", n, "link", "set", "lo", "up");
        must("ip", "link", "add", inner, "type", "veth", "peer", "name", outer);
        must("ip", "link", "set", inner, "netns", n);
        must("ip", "link", "set", outer, "netns", hub);
        must("ip", "-n", hub, "link", "set", outer, "master", "br0");
        must("ip", "-n", hub, "link", "set", outer, "up");
        must("ip", "-n", n, "addr", "add", lan(p) + "/24", "dev", inner);
        must("ip", "-n", n, "link", "set", inner, "up");
        must("ip", "-n", n, "route", "add", "default", "via", lan(254));
      }
      String root0 = "pr0-" + s;
      String root1 = "pr1-" + s;
      must("ip", "link", "add", root0, "type", "veth", "peer", "name", root1);
      must("ip", "link", "set", root1, "netns", hub);
      must("ip", "addr", "add", indexHost() + "/30", "dev", root0);
      must("ip", "link", "set", root0, "up");
      must("ip", "-n", hub, "addr", "add", "10.232." + net + ".2/30", "dev", root1);
      must("ip", "-n", hub, "link", "set", root1, "up");
      must("ip", "route", "add", "10.231." + net + ".0/24", "via", "10.232." + net + ".2");
    }

    /** Adds the qdisc on both peers' links; false if tc refuses it (e.g. an unknown kind). */
    boolean qdisc(String kind, String... params) throws Exception {
      for (String role : List.of("a", "b")) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns(role), "tc", "qdisc", "add",
            "dev", "p" + role + "0-" + s, "root", kind));
        cmd.addAll(List.of(params));
        if (sh(cmd.toArray(String[]::new)) != 0) {
          return false;
        }
      }
      qdiscs.add(kind + " " + String.join(" ", params));
      return true;
    }

    String describe() {
      return "namespaces " + ns("a") + ", " + ns("b") + " with " + qdiscs;
    }

    /** Runs the CLI as a JVM in peer {@code p}'s namespace (0: the hub's), advertising its address. */
    Process java(int p, Path stdout, Path stderr, String... args) throws IOException {
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns(p == 0 ? "h" : p == 1 ? "a" : "b"),
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:auto",
          "-XX:TieredStopAtLevel=1", "-Xmx160m", "-cp", JavaProcess.classpath(), "io.p2pshare.cli.Main"));
      cmd.addAll(List.of(args));
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.redirectOutput(stdout.toFile());
      pb.redirectError(stderr.toFile());
      pb.environment().remove("P2P_INDEX");
      pb.environment().remove("P2P_CONFIG");
      pb.environment().remove("P2P_DATA_DIR");
      pb.environment().put("P2P_ADVERTISE_HOST", lan(p == 0 ? 254 : p));
      return pb.start();
    }

    @Override
    public void close() throws Exception {
      // Deleting a namespace deletes the veth ends inside it, and with them their peers.
      sh("ip", "route", "del", "10.231." + net + ".0/24");
      sh("ip", "link", "del", "pr0-" + s);
      for (String role : List.of("a", "b", "h")) {
        sh("ip", "netns", "del", ns(role));
      }
    }

    private static void must(String... cmd) throws Exception {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      Process p = pb.start();
      String text = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + ": " + text.strip());
      }
    }

    private static int sh(String... cmd) throws Exception {
      Process p;
      try {
        p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      } catch (IOException notInstalled) {
        return -1;
      }
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    private static String out(String... cmd) throws Exception {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes());
      p.waitFor(30, TimeUnit.SECONDS);
      return text;
    }
  }
}
