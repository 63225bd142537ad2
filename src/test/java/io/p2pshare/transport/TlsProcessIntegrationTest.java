package io.p2pshare.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.FrameSocket;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchRequest;
import io.p2pshare.protocol.TransferRequest;
import io.p2pshare.protocol.Wire;
import io.p2pshare.testing.JavaProcess;
import io.p2pshare.transfer.PieceHasher;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS switched on by the flags, with real processes: an index ({@code --tls-cert/--tls-key}) and a
 * peer (plus {@code --tls-trust}) sharing a self-signed certificate made in the test. The peer
 * registers over TLS; {@code search}, {@code stats} and a verified {@code get} (a small file over
 * the pooled blocking SSLSocket path, a multi-piece one over Streams TLS) work with
 * {@code --tls-trust}; plain clients are cut without harming the servers; a client trusting
 * another certificate is refused.
 */
class TlsProcessIntegrationTest {
  private static final Pattern SERVING = Pattern.compile("serving on [^:]+:(\\d+)");
  static final long PIECE = 4L * 1024 * 1024;

  record Run(int code, String out, String err) {}

  static Run cli(Path tmp, String tag, String... args) throws Exception {
    Process p = JavaProcess.start(tmp.resolve(tag + ".out"), tmp.resolve(tag + ".err"),
        List.of("-Xmx256m"), args);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), tag + " finished");
    return new Run(p.exitValue(), Files.readString(tmp.resolve(tag + ".out")),
        Files.readString(tmp.resolve(tag + ".err")));
  }

  static Path random(Path dir, String name, int size, long seed) throws IOException {
    Files.createDirectories(dir);
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return Files.write(dir.resolve(name), b);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static Envelope ask(ClientSockets sockets, int port, String type, Object payload) throws IOException {
    try (FrameSocket s = FrameSocket.connect(sockets, "127.0.0.1", port, 10_000, "tls-test")) {
      return s.request(type, payload);
    }
  }

  static void await(Process p, Path log, String what, Check check) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!check.ok()) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException(what + " never happened: " + Files.readString(log));
      }
      Thread.sleep(100);
    }
  }

  interface Check {
    boolean ok() throws Exception;
  }

  static void destroy(Process p) throws InterruptedException {
    if (p != null && p.isAlive()) {
      p.destroy();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  @Test
  void registerSearchAndVerifiedDownloadAllOverTls(@TempDir Path tmp) throws Exception {
    SelfSignedCert cert = SelfSignedCert.create(tmp, "p2p");
    SelfSignedCert stranger = SelfSignedCert.create(tmp, "stranger");
    ClientSockets trusting = ClientSockets.of(Optional.of(new TlsSettings(null, null, cert.cert)));
    ClientSockets plain = ClientSockets.PLAIN;
    String[] serve = {"--tls-cert", cert.cert.toString(), "--tls-key", cert.key.toString()};

    Path data = tmp.resolve("data");
    Path k1 = random(data.resolve("peer1/shared"), "tls_1k.txt", 1024, 1);
    Path m9 = random(data.resolve("peer1/shared"), "tls_9m.bin", 9 << 20, 2); // three pieces
    int indexPort = freePort();
    String index = "127.0.0.1:" + indexPort;
    Path config = Files.writeString(tmp.resolve("config.json"),
        "{\"replication\": {\"heartbeat_interval_ms\": 1000, \"replication_factor\": 1}}");
    Process idx = null;
    Process peer = null;
    try {
      idx = JavaProcess.start(tmp.resolve("index.out"), tmp.resolve("index.log"), List.of("-Xmx256m"),
          "index", "--config", config.toString(), "--host", "127.0.0.1", "--port", Integer.toString(indexPort),
          serve[0], serve[1], serve[2], serve[3]);
      await(idx, tmp.resolve("index.log"), "index up over TLS", () -> {
        try {
          return "ok".equals(ask(trusting, indexPort, MessageType.STATS_REQUEST, Map.of())
              .payload().path("status").asText());
        } catch (IOException notYet) {
          return false;
        }
      });

      peer = JavaProcess.start(tmp.resolve("peer1.out"), tmp.resolve("peer1.log"), List.of("-Xmx256m"),
          "peer", "--peer", "peer1", "--headless", "--port", "0", "--data-dir", data.toString(),
          "--index", index, "--rescan-ms", "500", "--config", config.toString(),
          serve[0], serve[1], serve[2], serve[3], "--tls-trust", cert.cert.toString());
      Process p = peer;
      await(peer, tmp.resolve("peer1.log"), "peer registered over TLS", () ->
          ask(trusting, indexPort, MessageType.SEARCH_REQUEST, new SearchRequest(SearchQuery.exact("tls_9m.bin")))
              .payload().path("results").size() == 1);
      Matcher m = SERVING.matcher(Files.readString(tmp.resolve("peer1.out")));
      assertTrue(m.find(), "peer printed its port");
      int peerPort = Integer.parseInt(m.group(1));

      // The one-shot commands with --tls-trust.
      Run search = cli(tmp, "search", "search", "tls_1k.txt", "--index", index, "--json",
          "--tls-trust", cert.cert.toString());
      assertEquals(0, search.code(), search.err());
      assertEquals(1, search.out().strip().lines().count(), search.out());
      assertEquals("peer1", Wire.MAPPER.readTree(search.out()).at("/results/0/peer_id").asText());
      Run stats = cli(tmp, "stats", "stats", "--index", index, "--json", "--tls-trust", cert.cert.toString());
      assertEquals(0, stats.code(), stats.err());
      assertEquals(1, Wire.MAPPER.readTree(stats.out()).get("peers_live").asInt());
      Path out = tmp.resolve("out");
      Run get = cli(tmp, "get", "get", "tls_1k.txt", "tls_9m.bin", "--index", index, "--out", out.toString(),
          "--json", "--tls-trust", cert.cert.toString());
      assertEquals(0, get.code(), get.err());
      assertEquals(1, get.out().strip().lines().count(), "stdout is the one JSON document: " + get.out());
      JsonNode files = Wire.MAPPER.readTree(get.out()).get("files");
      assertEquals(2, files.size());
      for (Path src : List.of(k1, m9)) {
        String name = src.getFileName().toString();
        assertEquals(PieceHasher.hash(src, PIECE).sha256(), PieceHasher.hash(out.resolve(name), PIECE).sha256(), name);
      }

      // Plain clients on the TLS ports are cut (no reply ever), and the servers stay up.
      assertThrows(IOException.class, () -> ask(plain, indexPort, MessageType.STATS_REQUEST, Map.of()));
      assertThrows(IOException.class, () -> ask(plain, peerPort, MessageType.MANIFEST_REQUEST,
          new TransferRequest("tls_1k.txt", null, null)));
      Run plainSearch = cli(tmp, "plain-search", "search", "tls_1k.txt", "--index", index);
      assertEquals(1, plainSearch.code());
      assertEquals(1, plainSearch.err().strip().lines().count(), "one clear line: " + plainSearch.err());

      // A client that trusts another certificate is refused during the handshake.
      ClientSockets wrongTrust = ClientSockets.of(Optional.of(new TlsSettings(null, null, stranger.cert)));
      assertThrows(SSLException.class, () -> ask(wrongTrust, indexPort, MessageType.STATS_REQUEST, Map.of()));
      assertThrows(SSLException.class, () -> ask(wrongTrust, peerPort, MessageType.MANIFEST_REQUEST,
          new TransferRequest("tls_1k.txt", null, null)));
      Run wrong = cli(tmp, "wrong-search", "search", "tls_1k.txt", "--index", index,
          "--tls-trust", stranger.cert.toString());
      assertEquals(1, wrong.code());
      assertTrue(wrong.err().contains("index unreachable"), wrong.err());

      // Both servers survived all of that.
      assertTrue(idx.isAlive() && p.isAlive());
      assertEquals("ok", ask(trusting, indexPort, MessageType.STATS_REQUEST, Map.of()).payload().path("status").asText());
      assertEquals("ok", ask(trusting, peerPort, MessageType.MANIFEST_REQUEST,
          new TransferRequest("tls_1k.txt", null, null)).payload().path("status").asText());
    } finally {
      destroy(peer);
      destroy(idx);
    }
  }
}
