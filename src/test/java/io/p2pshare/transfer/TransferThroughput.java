package io.p2pshare.transfer;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.stream.Materializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Manual loopback throughput check (not a test): {@code server DIR CHUNK} serves DIR and prints
 * its port; {@code client PORT NAME OUT PIECE INFLIGHT} fetches NAME by pieces over one
 * connection into OUT, checks every piece against the manifest and prints MiB/s. Run each end in
 * its own JVM with -Xmx128m (see {@code TransferMemorySlowTest}). PIECE must be the server's
 * piece size (DirectoryFiles.shared: 4 MiB).
 */
public final class TransferThroughput {
  public static void main(String[] args) throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "tp");
    if (args[0].equals("server")) {
      TransferServer s = TransferServer.start(system, Materializer.matFromSystem(system),
              TransferServer.Settings.of("srv", "127.0.0.1", 0).withChunkSize(Integer.parseInt(args[2])),
              DirectoryFiles.shared(Path.of(args[1])))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      System.out.println("PORT " + s.port());
      System.out.flush();
      system.getWhenTerminated().toCompletableFuture().get();
      return;
    }
    int port = Integer.parseInt(args[1]);
    String name = args[2];
    Path out = Path.of(args[3]);
    long piece = Long.parseLong(args[4]);
    int inflight = Integer.parseInt(args[5]);
    Files.deleteIfExists(out);
    TransferClient c = TransferClient.connect(system, "127.0.0.1", port, "bench")
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    // The manifest hashes the file on the server first: not part of the timed transfer.
    io.p2pshare.protocol.ManifestResponse m = c.manifest(name).toCompletableFuture().get(600, TimeUnit.SECONDS);
    long size = m.fileSize();
    if (piece != m.pieceSize()) {
      throw new IllegalArgumentException("piece size must match the manifest's " + m.pieceSize());
    }
    long t0 = System.nanoTime();
    Deque<CompletionStage<TransferClient.RangeResult>> q = new ArrayDeque<>();
    long off = 0;
    long got = 0;
    while (off < size || !q.isEmpty()) {
      while (off < size && q.size() < inflight) {
        long len = Math.min(piece, size - off);
        q.add(c.fetch(name, off, len, out));
        off += len;
      }
      TransferClient.RangeResult r = q.poll().toCompletableFuture().get(600, TimeUnit.SECONDS);
      if (!r.sha256().equals(m.pieces().get((int) (r.offset() / piece)))) {
        System.out.println("BAD PIECE at " + r.offset());
        System.exit(1);
      }
      got += r.bytes();
    }
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.printf("%d bytes in %.2f s = %.1f MiB/s (max heap %d MiB)%n", got, s,
        got / s / (1 << 20), Runtime.getRuntime().maxMemory() >> 20);
    c.close();
    system.terminate();
    System.exit(got == size ? 0 : 1);
  }
}
