package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.*;

import io.p2pshare.protocol.MessageType;
import io.p2pshare.transfer.HostileTransferServer;
import io.p2pshare.transfer.PieceHasher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The body path of a plain connection: straight from the socket into direct buffers. */
class SourceConnectionTest {
  private static byte[] content(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** A body of {@code n} bytes read on another thread; {@code exclusive} as in readBody. */
  private static CompletableFuture<Void> readInBackground(SourceConnection c, PieceWriter w, int n,
      boolean exclusive) {
    return CompletableFuture.runAsync(() -> {
      try {
        c.readBody(n, w, PieceHasher.sha256(), null, RateLimiter.UNLIMITED, exclusive);
      } catch (IOException e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    });
  }

  @Test
  void aPlainConnectionReadsBodiesStraightFromItsChannelAndStaysUsable(@TempDir Path tmp) throws Exception {
    byte[] content = content(5 * 1024 * 1024 + 123, 1);
    try (HostileTransferServer src = new HostileTransferServer(content, HostileTransferServer.Mode.HONEST);
        SourceConnection c = SourceConnection.open("127.0.0.1", src.port(), "t", 5_000)) {
      for (int round = 0; round < 2; round++) { // a body, then the next header on the same connection
        Path part = tmp.resolve("p" + round + ".part");
        c.request(MessageType.OBTAIN_REQUEST, "x.bin", 0L, (long) content.length);
        PieceWriter w = PieceWriter.open(part, 0, content.length, content.length);
        java.security.MessageDigest d = PieceHasher.sha256();
        c.readBody(content.length, w, d, null, RateLimiter.UNLIMITED, round == 0); // channel, then stream
        w.finish(true);
        assertEquals(PieceHasher.hex(PieceHasher.sha256().digest(content)), PieceHasher.hex(d.digest()));
        byte[] got = Files.readAllBytes(part);
        assertArrayEquals(content, java.util.Arrays.copyOf(got, content.length), "round " + round);
      }
    }
  }

  /**
   * A 4 MiB body whose source sends the first half and then falls silent: the request is sent
   * and a writer is open for the body. Closing it drops the writer's bytes and closes the
   * connection and the source.
   */
  private record StalledBody(HostileTransferServer source, SourceConnection connection,
      PieceWriter writer, int length) implements AutoCloseable {
    static StalledBody start(Path part, long seed, int readTimeoutMs) throws IOException {
      byte[] content = content(4 * 1024 * 1024, seed);
      HostileTransferServer src = new HostileTransferServer(content, HostileTransferServer.Mode.STALL);
      SourceConnection c = SourceConnection.open("127.0.0.1", src.port(), "t", readTimeoutMs);
      c.request(MessageType.OBTAIN_REQUEST, "x.bin", 0L, (long) content.length);
      return new StalledBody(src, c,
          PieceWriter.open(part, 0, content.length, content.length), content.length);
    }

    @Override
    public void close() throws IOException {
      try {
        writer.finish(false);
      } finally {
        connection.close();
        source.close();
      }
    }
  }

  @Test
  void aSourceThatFallsSilentMidBodyTimesOutInsteadOfHanging(@TempDir Path tmp) throws Exception {
    try (StalledBody b = StalledBody.start(tmp.resolve("s.part"), 2, 300)) {
      IOException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(IOException.class,
          () -> b.connection().readBody(b.length(), b.writer(), PieceHasher.sha256(), null,
              RateLimiter.UNLIMITED, true)));
      assertInstanceOf(java.net.SocketTimeoutException.class, e, e.toString());
    }
  }

  @Test
  void closingTheConnectionCutsABodyReadThatWaitsForBytes(@TempDir Path tmp) throws Exception {
    try (StalledBody b = StalledBody.start(tmp.resolve("c.part"), 3, 60_000)) {
      CompletableFuture<Void> reading = readInBackground(b.connection(), b.writer(), b.length(), true);
      Thread.sleep(300); // the reader now waits for the second half
      assertFalse(reading.isDone());
      b.connection().close(); // what a stopped download's Abort does
      ExecutionException e = assertThrows(ExecutionException.class, () -> reading.get(5, TimeUnit.SECONDS));
      assertInstanceOf(IOException.class, e.getCause().getCause() != null ? e.getCause().getCause() : e.getCause());
    }
  }

  @Test
  void aRequestPipelinedWhileABodyIsReadStillGoesOut(@TempDir Path tmp) throws Exception {
    // Pieces of several sources: another thread sends the next request on this connection
    // while a body is read. Such a read must keep the socket usable for that (blocking mode).
    try (StalledBody b = StalledBody.start(tmp.resolve("q.part"), 4, 60_000)) {
      CompletableFuture<Void> reading = readInBackground(b.connection(), b.writer(), b.length(), false);
      Thread.sleep(300); // the reader waits for the second half
      b.connection().sendRequest(MessageType.OBTAIN_REQUEST, "x.bin", 0L, 1024L); // must not throw
      b.connection().flush();
      b.connection().close();
      assertThrows(ExecutionException.class, () -> reading.get(5, TimeUnit.SECONDS));
    }
  }
}
