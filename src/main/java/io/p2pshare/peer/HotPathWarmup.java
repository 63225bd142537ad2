package io.p2pshare.peer;

import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.FrameInput;
import io.p2pshare.protocol.Frames;
import io.p2pshare.protocol.HotFrames;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchRequest;
import io.p2pshare.protocol.SearchResponse;
import io.p2pshare.protocol.SearchResult;
import io.p2pshare.protocol.TransferHeader;
import io.p2pshare.transfer.PieceHasher;
import io.p2pshare.transport.ClientSockets;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the download hot path's pure code (frame codec, line reading, SHA-256 of small bodies)
 * over made-up frames on a second thread while a one-shot command's actor system starts, which
 * keeps one core busy for about a second with the other idle. A fresh JVM otherwise loads,
 * interprets and compiles that code in the middle of the first downloads. Then one real
 * pipelined batch against a made-up source on its own loopback socket, into tmpfs. {@link #stop}
 * ends it before the real work begins, so it never competes with it.
 */
public final class HotPathWarmup {
  private static final int ROUNDS = 4000;
  /** Files in the loopback batch (a tmpfs holds them for a moment). */
  private static final int BATCH = 300;

  private final Thread thread;
  private volatile boolean stopped;

  private HotPathWarmup() {
    this.thread = new Thread(this::run, "p2pshare-warmup");
    thread.setDaemon(true);
  }

  public static HotPathWarmup start() {
    HotPathWarmup w = new HotPathWarmup();
    w.thread.start();
    return w;
  }

  /** Ends the warm-up (a batch in flight is cut by closing its source) and waits for it. */
  public void stop() {
    stopped = true;
    closeQuietly(listening);
    closeQuietly(accepted);
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Codec rounds done, and loopback files published (for tests). */
  int rounds() {
    return rounds;
  }

  int published() {
    return published;
  }

  /** Whether the warm-up has run to its end (or was stopped). */
  boolean done() {
    return !thread.isAlive();
  }

  private volatile int rounds;
  private volatile int published;
  /** The made-up source's sockets, closed by {@link #stop}. */
  private volatile java.io.Closeable listening;
  private volatile java.io.Closeable accepted;

  private static void closeQuietly(java.io.Closeable c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException ignored) {
        // stopping anyway
      }
    }
  }

  private void run() {
    try {
      byte[] search = Frames.encode(Envelope.of(MessageType.SEARCH_RESPONSE, "index", "warmup",
          new SearchResponse("ok", null, results(100), false)));
      byte[] header = Frames.encode(Envelope.of(MessageType.OBTAIN_RESPONSE, "warmup", "warmup-0",
          new TransferHeader("ok", "warmup_kb_0001.txt", 1024L, 1024L, 0L, 1024L, null, null, null)));
      byte[] body = new byte[1024];
      for (int i = 0; i < ROUNDS && !stopped; i++) {
        if (i % 200 == 0) {
          Frames.encode(Envelope.of(MessageType.SEARCH_REQUEST, "warmup", "warmup-s",
              new SearchRequest(SearchQuery.contains("warmup", SearchQuery.MAX_LIMIT))));
          FrameInput in = new FrameInput(new ByteArrayInputStream(search), 64 * 1024);
          HotFrames.searchResponse(in.readLine(search.length, "warmup"));
        }
        HotFrames.transferRequest(MessageType.OBTAIN_REQUEST, "warmup", "warmup-" + i,
            "warmup_kb_" + i + ".txt", 0L, 1024L);
        FrameInput in = new FrameInput(new ByteArrayInputStream(header), 4096);
        HotFrames.transferHeader(in.readLine(header.length, "warmup"));
        body[i & 1023]++;
        PieceHasher.hex(PieceHasher.sha256().digest(body));
        rounds = i + 1;
      }
      if (!stopped) {
        loopbackBatch(header, body);
      }
    } catch (IOException | RuntimeException e) {
      // only a warm-up: the real work reports its own errors
    }
  }

  /**
   * One pipelined small-file batch, the real {@link PieceTransfers#smallBatch}, against a
   * made-up source on a loopback socket of our own, written into a temp dir on tmpfs (never
   * the real disk: files deleted there would slow the real downloads' file creation on ext4).
   * Skipped where there is no /dev/shm.
   */
  private void loopbackBatch(byte[] header, byte[] body) throws IOException {
    Path shm = Path.of("/dev/shm");
    if (!Files.isDirectory(shm) || !Files.isWritable(shm)) {
      return;
    }
    byte[] reply = new byte[header.length + body.length];
    System.arraycopy(header, 0, reply, 0, header.length);
    System.arraycopy(body, 0, reply, header.length, body.length);
    Path dir = Files.createTempDirectory(shm, "p2pshare-warmup");
    try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        SourcePool pool = new SourcePool("warmup", 1, 5_000, ClientSockets.PLAIN)) {
      listening = server;
      if (stopped) {
        return;
      }
      Thread source = new Thread(() -> serve(server, reply), "p2pshare-warmup-source");
      source.setDaemon(true);
      source.start();
      String sha = PieceHasher.hex(PieceHasher.sha256().digest(body));
      List<PieceTransfers.SmallItem> items = new ArrayList<>();
      for (int i = 0; i < BATCH; i++) {
        items.add(new PieceTransfers.SmallItem("warmup_kb_" + i + ".txt", body.length, sha,
            new PartFile(dir, "warmup_kb_" + i + ".txt")));
      }
      PeerAddress src = new PeerAddress("warmup", "127.0.0.1", server.getLocalPort());
      for (PieceTransfers.SmallOutcome o : new PieceTransfers(pool, RateLimiter.UNLIMITED)
          .smallBatch(src, MessageType.OBTAIN_REQUEST, items, 4L << 20, 32)) {
        if (o.small() instanceof PieceTransfers.Published) {
          published++;
        }
      }
    } finally {
      try (var files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  /** Answers every request line on one connection with the same reply, until it closes. */
  private void serve(ServerSocket server, byte[] reply) {
    try (Socket s = server.accept()) {
      accepted = s;
      if (stopped) {
        return;
      }
      FrameInput in = new FrameInput(s.getInputStream(), 64 * 1024);
      OutputStream out = s.getOutputStream();
      while (true) {
        in.readLine(64 * 1024, "warmup request");
        out.write(reply);
      }
    } catch (IOException closed) {
      // the batch is over
    }
  }

  private static List<SearchResult> results(int n) {
    List<SearchResult> out = new ArrayList<>();
    PeerAddress peer = new PeerAddress("warmup", "127.0.0.1", 1);
    for (int i = 0; i < n; i++) {
      out.add(new SearchResult("warmup", peer, new FileMeta(1024L, "0".repeat(64)), "warmup_kb_" + i + ".txt"));
    }
    return out;
  }
}
