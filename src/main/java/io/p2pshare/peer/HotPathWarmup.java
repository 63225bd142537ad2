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
 * pipelined batch of small files and a few pieces of a large one, against made-up sources on
 * loopback sockets of its own, into tmpfs. {@link #stop}
 * ends it before the real work begins, so it never competes with it.
 */
public final class HotPathWarmup {
  private static final int ROUNDS = 4000;
  /** Files in the loopback batch (a tmpfs holds them for a moment). */
  private static final int BATCH = 300;
  /** 4 MiB pieces of the made-up large file (16 MiB on tmpfs for a moment). */
  private static final int PIECES = 4;

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
    abort.abort();
    for (java.io.Closeable c : open) {
      closeQuietly(c);
    }
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

  int piecesDone() {
    return piecesDone;
  }

  /** Whether the warm-up has run to its end (or was stopped). */
  boolean done() {
    return !thread.isAlive();
  }

  private volatile int rounds;
  private volatile int published;
  /** The made-up sources' sockets and the client's, closed by {@link #stop}. */
  private final java.util.Set<java.io.Closeable> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile int piecesDone;
  /** Cuts the made-up large download, whose connection the source pool owns. */
  private final PieceTransfers.Abort abort = new PieceTransfers.Abort();

  /** Registers {@code c} to be closed by {@link #stop}; false (and closed) if already stopped. */
  private boolean track(java.io.Closeable c) {
    open.add(c);
    if (stopped) {
      closeQuietly(c);
      return false;
    }
    return true;
  }

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
      largeFileFrames();
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
        PieceHasher.sha256Hex(body, 0, body.length);
        rounds = i + 1;
      }
      if (!stopped) {
        loopbackBatch(header, body);
      }
      if (!stopped) {
        loopbackPieces();
      }
    } catch (IOException | RuntimeException e) {
      // only a warm-up: the real work reports its own errors
    }
  }

  /**
   * What a large download encodes and decodes once before its first byte: the manifest request
   * and reply (256 piece hashes, as for 1 GiB) and the resume record's header. Each is a first
   * use of a Jackson databind type, which in a fresh JVM costs tens of milliseconds; done here,
   * that happens while the actor system starts instead of between the search and the first byte.
   */
  private static void largeFileFrames() throws IOException {
    List<String> pieces = java.util.Collections.nCopies(256, "0".repeat(64));
    Frames.encode(Envelope.of(MessageType.MANIFEST_REQUEST, "warmup", "warmup-m",
        new io.p2pshare.protocol.TransferRequest("warmup_gb_0001.bin", null, null)));
    byte[] manifest = Frames.encode(Envelope.of(MessageType.MANIFEST_RESPONSE, "warmup", "warmup-m",
        new io.p2pshare.protocol.ManifestResponse("ok", "warmup_gb_0001.bin", 1L << 30, "0".repeat(64),
            4L << 20, pieces)));
    try {
      Frames.decode(manifest).payloadAs(io.p2pshare.protocol.ManifestResponse.class);
    } catch (io.p2pshare.protocol.ProtocolException e) {
      throw new IOException(e.getMessage(), e);
    }
    io.p2pshare.protocol.Wire.MAPPER.writeValueAsBytes(
        new PartFile.Header("warmup_gb_0001.bin", 1L << 30, "0".repeat(64), 4L << 20, pieces));
  }

  /**
   * One pipelined small-file batch, the real {@link PieceTransfers#smallBatch}, against a
   * made-up source.
   */
  private void loopbackBatch(byte[] header, byte[] body) throws IOException {
    byte[] reply = new byte[header.length + body.length];
    System.arraycopy(header, 0, reply, 0, header.length);
    System.arraycopy(body, 0, reply, header.length, body.length);
    againstLoopbackSource(reply, new byte[0], 0, (dir, port) -> {
      try (SourcePool pool = new SourcePool("warmup", 1, 5_000, ClientSockets.PLAIN)) {
        String sha = PieceHasher.sha256Hex(body, 0, body.length);
        List<PieceTransfers.SmallItem> items = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
          items.add(new PieceTransfers.SmallItem("warmup_kb_" + i + ".txt", body.length, sha,
              new PartFile(dir, "warmup_kb_" + i + ".txt")));
        }
        PeerAddress src = new PeerAddress("warmup", "127.0.0.1", port);
        for (PieceTransfers.SmallOutcome o : new PieceTransfers(pool, RateLimiter.UNLIMITED)
            .smallBatch(src, MessageType.OBTAIN_REQUEST, items, 4L << 20, 32)) {
          if (o.small() instanceof PieceTransfers.Published) {
            published++;
          }
        }
      }
    });
  }

  /**
   * A few 4 MiB pieces of a made-up large file, the real piece path ({@link SourceConnection}
   * reading, {@link PieceWriter} through the page cache, SHA-256 on the {@link HashPipe}
   * thread), against a made-up source: the hash intrinsic and the read loop are compiled
   * before a large download starts.
   */
  private void loopbackPieces() throws IOException {
    long piece = 4L << 20;
    long total = piece * PIECES;
    byte[] chunk = new byte[256 * 1024];
    new java.util.Random(7).nextBytes(chunk);
    String name = "warmup_gb_0001.bin";
    byte[] header = Frames.encode(Envelope.of(MessageType.OBTAIN_RESPONSE, "warmup", "warmup-p",
        new TransferHeader("ok", name, total, total, 0L, total, null, null, null)));
    againstLoopbackSource(header, chunk, total, (dir, port) -> {
      // The real one-source path: one range for all pieces (PieceTransfers.span), written and
      // hashed into a whole-file hash as a download of one large file does.
      try (SourcePool pool = new SourcePool("warmup", 1, 5_000)) {
        PieceTransfers transfers = new PieceTransfers(pool, RateLimiter.UNLIMITED);
        PeerAddress src = new PeerAddress("warmup", "127.0.0.1", port);
        SourceLane lane = transfers.lane(src);
        Path part = dir.resolve(name + ".part");
        PieceTransfers.PiecePlanSpec spec = new PieceTransfers.PiecePlanSpec(total, piece,
            java.util.Collections.nCopies(PIECES, "0".repeat(64)));
        try {
          transfers.span(lane, src, MessageType.OBTAIN_REQUEST, name, spec, 0, PIECES - 1, part,
              new FileDigest(part, total), true, abort, RateLimiter.UNLIMITED,
              p -> piecesDone = p.index() + 1);
        } finally {
          lane.close();
        }
      }
    });
  }


  /** Warm-up work against a made-up source: a temp dir on tmpfs for its files, and the port. */
  private interface AgainstSource {
    void run(Path dir, int port) throws IOException;
  }

  /**
   * Runs {@code work} against a made-up source ({@link #serve}) on a loopback socket of our own,
   * writing into a temp dir on tmpfs (never the real disk: files deleted there would slow the
   * real downloads' file creation on ext4), removed afterwards with all it holds. Skipped where
   * there is no /dev/shm.
   */
  private void againstLoopbackSource(byte[] head, byte[] chunk, long length, AgainstSource work)
      throws IOException {
    Path shm = Path.of("/dev/shm");
    if (!Files.isDirectory(shm) || !Files.isWritable(shm)) {
      return;
    }
    Path dir = Files.createTempDirectory(shm, "p2pshare-warmup");
    try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
      if (!track(server)) {
        return;
      }
      Thread source = new Thread(() -> serve(server, head, chunk, length), "p2pshare-warmup-source");
      source.setDaemon(true);
      source.start();
      work.run(dir, server.getLocalPort());
    } finally {
      try (var files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  /**
   * A made-up source: answers each request line on one connection with {@code head}, then
   * {@code length} bytes of {@code chunk} repeated, until the connection closes.
   */
  private void serve(ServerSocket server, byte[] head, byte[] chunk, long length) {
    try (Socket s = server.accept()) {
      if (!track(s)) {
        return;
      }
      FrameInput in = new FrameInput(s.getInputStream(), 64 * 1024);
      OutputStream out = s.getOutputStream();
      while (true) {
        in.readLine(64 * 1024, "warmup request");
        out.write(head);
        for (long left = length; left > 0; left -= Math.min(left, chunk.length)) {
          out.write(chunk, 0, (int) Math.min(left, chunk.length));
        }
      }
    } catch (IOException closed) {
      // the warm-up is over
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
