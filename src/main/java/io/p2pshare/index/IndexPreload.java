package io.p2pshare.index;

import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.FrameSocket;
import io.p2pshare.protocol.HeartbeatRequest;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.protocol.RegistryRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Benchmark helper behind the hidden {@code index --bench-preload PREFIX,NAMES[,PEERS[,WIDTH]]}:
 * once the port is bound, registers names {@code PREFIX + zero-padded i + ".txt"} (i below
 * NAMES) for PEERS peers {@code benchpeer1..} over the real protocol (one full registration, then
 * {@code add} batches), then heartbeats for them so they stay live. Names match what
 * {@code v1bench HOST PORT CLIENTS SECONDS PREFIX NAMES WIDTH} asks for.
 */
public final class IndexPreload {
  private static final Logger log = LoggerFactory.getLogger(IndexPreload.class);
  private static final int BATCH = 20_000;

  public static void start(InetSocketAddress at, String spec, long heartbeatMs) {
    String[] parts = spec.split(",");
    String prefix = parts[0];
    int names = Integer.parseInt(parts[1].trim());
    int peers = parts.length > 2 ? Integer.parseInt(parts[2].trim()) : 1;
    int width = parts.length > 3 ? Integer.parseInt(parts[3].trim()) : 5;
    Thread t = new Thread(() -> run(at, prefix, names, peers, width, heartbeatMs), "bench-preload");
    t.setDaemon(true);
    t.start();
  }

  private static void run(InetSocketAddress at, String prefix, int names, int peers, int width, long heartbeatMs) {
    String host = at.getAddress().getHostAddress();
    List<String> tokens = new ArrayList<>();
    long t0 = System.nanoTime();
    try {
      for (int p = 1; p <= peers; p++) {
        tokens.add(register(host, at.getPort(), p, prefix, names, width));
      }
      log.info("bench preload: {} names x {} peers registered in {} ms", names, peers,
          (System.nanoTime() - t0) / 1_000_000);
      try (FrameSocket s = FrameSocket.connect(host, at.getPort(), 30_000, "benchpeer")) {
        while (true) {
          Thread.sleep(heartbeatMs / 2);
          for (int p = 0; p < tokens.size(); p++) {
            s.send(Envelope.of(MessageType.HEARTBEAT, "benchpeer" + (p + 1), null,
                new HeartbeatRequest(tokens.get(p))));
            Envelope r = s.receive();
            if (!"ok".equals(r.payload().path("status").asText())) {
              // As a real peer does: the index forgot the session (cluster mode: a shard moved).
              log.info("bench preload: benchpeer{} registers again ({})", p + 1, r.payload().path("error").asText());
              tokens.set(p, register(host, at.getPort(), p + 1, prefix, names, width));
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      log.error("bench preload failed: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Registers all names for benchpeer{@code p} (one full batch, then adds); returns its token. */
  private static String register(String host, int port, int p, String prefix, int names, int width)
      throws IOException {
    String peerId = "benchpeer" + p;
    PeerAddress addr = new PeerAddress(peerId, "127.0.0.1", 20000 + p);
    String token = null;
    try (FrameSocket s = FrameSocket.connect(host, port, 120_000, peerId)) {
      for (int from = 0; from < names; from += BATCH) {
        Map<String, FileMeta> files = new LinkedHashMap<>();
        for (int i = from; i < Math.min(names, from + BATCH); i++) {
          files.put(String.format("%s%0" + width + "d.txt", prefix, i), new FileMeta(1024L, sha(i)));
        }
        Envelope r = s.request(MessageType.REGISTRY_REQUEST, new RegistryRequest(addr, files,
            token == null ? RegistryRequest.FULL : RegistryRequest.ADD, token));
        if (!"ok".equals(r.payload().path("status").asText())) {
          throw new IOException("registration refused: " + r.payload());
        }
        token = r.payload().path("token").asText();
      }
    }
    return token;
  }

  private static String sha(int i) {
    return String.format("%064x", (long) i * 0x9E3779B97F4A7C15L & Long.MAX_VALUE);
  }

  /**
   * The same preload from outside, against a running index (cluster benchmarks: after every node
   * is up): {@code java -cp p2pshare.jar io.p2pshare.index.IndexPreload HOST:PORT
   * PREFIX,NAMES[,PEERS[,WIDTH]] [HEARTBEAT_MS]}; runs until killed.
   */
  public static void main(String[] args) throws InterruptedException {
    io.p2pshare.config.Endpoint e = io.p2pshare.config.Endpoint.parse(args[0]);
    long hb = args.length > 2 ? Long.parseLong(args[2]) : 5000;
    String[] parts = args[1].split(",");
    run(new InetSocketAddress(e.host(), e.port()), parts[0], Integer.parseInt(parts[1].trim()),
        parts.length > 2 ? Integer.parseInt(parts[2].trim()) : 1,
        parts.length > 3 ? Integer.parseInt(parts[3].trim()) : 5, hb);
  }

  private IndexPreload() {}
}
