package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.*;

import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.protocol.TransferHeader;
import io.p2pshare.transfer.HostileTransferServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class SourceLaneTest {
  static final SourcePool POOL = new SourcePool("lane-test", 4, 20_000);
  /**
   * A thread per task: the test starts tickets out of order on purpose (the download submits
   * them in order to a FIFO pool, so a waiting ticket never holds back an earlier one).
   */
  static final ExecutorService THREADS = Executors.newCachedThreadPool();

  @AfterAll
  static void cleanup() {
    POOL.close();
    THREADS.shutdownNow();
  }

  /** Ticket {@code t}: range {@code off}+{@code len} through the lane, body into memory. */
  private static CompletableFuture<byte[]> fetch(SourceLane lane, long t, long off, int len) {
    return CompletableFuture.supplyAsync(() -> {
      boolean clean = false;
      try {
        lane.send(t, c -> {
          c.sendRequest(MessageType.OBTAIN_REQUEST, "f.bin", off, (long) len);
          c.flush();
        });
        SourceConnection c = lane.awaitReply(t);
        TransferHeader h = c.readHeader();
        assertTrue(h.ok(), String.valueOf(h));
        byte[] body = c.readBodyBytes(len, RateLimiter.UNLIMITED);
        clean = true;
        return body;
      } catch (IOException e) {
        throw new java.util.concurrent.CompletionException(e);
      } finally {
        lane.done(t, clean);
      }
    }, THREADS);
  }

  private static Throwable failure(CompletableFuture<?> f) {
    try {
      f.get(30, TimeUnit.SECONDS);
      return null;
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void ticketsShareOneConnectionAndGetTheirOwnRepliesWhateverOrderTheirThreadsRunIn() throws Exception {
    byte[] content = new byte[64 * 1024];
    new Random(1).nextBytes(content);
    try (HostileTransferServer src = new HostileTransferServer(content, HostileTransferServer.Mode.HONEST)) {
      SourceLane lane = new SourceLane(POOL, "127.0.0.1", src.port());
      long[] tickets = new long[16];
      for (int i = 0; i < tickets.length; i++) {
        tickets[i] = lane.ticket();
      }
      // Started in reverse: each still sends and reads in ticket order.
      CompletableFuture<?>[] fs = new CompletableFuture<?>[tickets.length];
      for (int i = tickets.length - 1; i >= 0; i--) {
        fs[i] = fetch(lane, tickets[i], i * 4096L, 4096);
      }
      for (int i = 0; i < tickets.length; i++) {
        assertArrayEquals(Arrays.copyOfRange(content, i * 4096, (i + 1) * 4096),
            (byte[]) fs[i].get(30, TimeUnit.SECONDS), "ticket " + i);
      }
      lane.close();
    }
  }

  @Test
  void aBrokenConnectionFailsTheTicketsQueuedOnItAndTheNextOneReconnects() throws Exception {
    byte[] content = new byte[256 * 1024];
    new Random(2).nextBytes(content);
    try (HostileTransferServer src = new HostileTransferServer(content, HostileTransferServer.Mode.HONEST)) {
      src.truncateNext.set(1); // the first body breaks off half-way and the connection closes
      SourceLane lane = new SourceLane(POOL, "127.0.0.1", src.port());
      long t0 = lane.ticket();
      long t1 = lane.ticket();
      CompletableFuture<byte[]> first = fetch(lane, t0, 0, 64 * 1024);
      CompletableFuture<byte[]> second = fetch(lane, t1, 64 * 1024, 64 * 1024);
      Throwable f0 = failure(first);
      assertNotNull(f0);
      assertFalse(f0 instanceof SourceLane.Collateral, "the first failure is the real one: " + f0);
      assertInstanceOf(SourceLane.Collateral.class, failure(second), "lost with the same connection");
      byte[] third = fetch(lane, lane.ticket(), 128 * 1024, 64 * 1024).get(30, TimeUnit.SECONDS);
      assertArrayEquals(Arrays.copyOfRange(content, 128 * 1024, 192 * 1024), third);
      lane.close();
    }
  }
}
