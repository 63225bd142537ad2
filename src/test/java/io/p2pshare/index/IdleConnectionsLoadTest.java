package io.p2pshare.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pshare.bench.SearchLoad;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, load (the functional half; the timed comparison is {@link IdleConnectionsLoadSlowTest}):
 * 1,000 silent connections plus 64 busy search clients on one index. Every silent connection is
 * accepted (the caps allow them) and still served at the end, every busy request is answered
 * correctly, the connection cap answers BUSY exactly at its limit and frees the slot again, and
 * the heap per silent connection stays small.
 */
class IdleConnectionsLoadTest {
  static final int IDLE = 1000;
  static final int BUSY = 64;
  /** Room for the silent connections, the busy clients and the checks, nothing more. */
  static final int CAP = 1100;

  @Test
  void a_thousand_idle_connections_do_not_stop_64_busy_clients() throws Exception {
    // Every client here is 127.0.0.1: the per-address cap must allow them all.
    try (IdleLoad load = new IdleLoad("\"max_connections\":" + CAP + ",\"max_connections_per_address\":" + CAP)) {
      SearchLoad.Outcome warm = load.busy(BUSY, 50, 1);
      assertEquals(BUSY * 50L, warm.requests());
      assertEquals(0, warm.errors());
      long heapBefore = IdleLoad.heapAfterGc();

      load.openIdle(IDLE);
      SearchLoad.Outcome withIdle = load.busy(BUSY, 200, 2);
      assertEquals(BUSY * 200L, withIdle.requests(), "every busy request answered");
      assertEquals(0, withIdle.errors(), "every answer ok and naming the holder");
      load.assertSearchesAnswerCorrectly();
      long heapWith = IdleLoad.heapAfterGc();

      IdleLoad.IdleOutcome idle = load.checkIdle();
      assertEquals(IDLE, idle.served(), "the caps allow all of them: each one is served");
      assertEquals(0, idle.busy());

      // The cap: with the 1,000 silent ones open, exactly CAP - 1000 more fit, the next is BUSY.
      List<Socket> extra = fillToCap(load, CAP - IDLE);
      try {
        String refused = oneStats(load);
        assertTrue(refused.contains("\"BUSY\""), "over the cap: " + refused);
        extra.remove(0).close();
        awaitServed(load);
      } finally {
        for (Socket s : extra) {
          s.close();
        }
      }
      long perConn = Math.max(0, heapWith - heapBefore) / IDLE;
      System.out.printf("idle-load: heap after GC %d KiB without, %d KiB with %d idle connections "
          + "(%d bytes each); %d busy searches at %.0f/s with them%n", heapBefore >> 10, heapWith >> 10,
          IDLE, perConn, withIdle.requests(), withIdle.requests() / (withIdle.nanos() / 1e9));
      // Bounded: a silent connection costs a stream and its buffers, not megabytes.
      assertTrue(perConn < 128 * 1024, perConn + " bytes of heap per idle connection");
    }
  }

  /**
   * Opens {@code n} connections that each get an answer. Connections of the busy runs may still
   * be counted for a moment after they closed, so a BUSY here means "try again shortly".
   */
  private static List<Socket> fillToCap(IdleLoad load, int n) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      List<Socket> opened = new ArrayList<>();
      boolean full = false;
      for (int i = 0; i < n && !full; i++) {
        Socket s = new Socket();
        s.connect(load.at, 30_000);
        s.setSoTimeout(30_000);
        opened.add(s);
        s.getOutputStream().write("{\"type\":\"STATS_REQUEST\",\"payload\":{}}\n".getBytes());
        String line = new String(IdleLoad.readLine(s.getInputStream()));
        full = line.contains("\"BUSY\"");
      }
      if (!full) {
        return opened;
      }
      for (Socket s : opened) {
        s.close();
      }
      assertTrue(System.nanoTime() < deadline, "the cap never allowed " + n + " more connections");
      Thread.sleep(100);
    }
  }

  private static String oneStats(IdleLoad load) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(load.at, 30_000);
      s.setSoTimeout(30_000);
      s.getOutputStream().write("{\"type\":\"STATS_REQUEST\",\"payload\":{}}\n".getBytes());
      return new String(IdleLoad.readLine(s.getInputStream()));
    }
  }

  private static void awaitServed(IdleLoad load) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (oneStats(load).contains("\"BUSY\"")) {
      assertTrue(System.nanoTime() < deadline, "a closed connection's slot never came back");
      Thread.sleep(50);
    }
  }
}
