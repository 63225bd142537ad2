package io.p2pshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SessionStatsTest {
  @Test
  void searchLatencyPercentilesFromTheHistogram() {
    SessionStats s = new SessionStats();
    for (int i = 1; i <= 100; i++) {
      s.recordSearch(i * 1_000_000L); // 1..100 ms
    }
    SessionStats.Snapshot snap = s.snapshot();
    assertEquals(100, snap.searches());
    assertEquals(0.0505, snap.searchMean(), 0.0005);
    assertEquals(0.001, snap.searchMin(), 0.00001);
    assertEquals(0.100, snap.searchMax(), 0.0002);
    assertEquals(0.050, snap.searchP50(), 0.0002);
    assertEquals(0.099, snap.searchP99(), 0.0002);
    assertEquals(0.02887, snap.searchStdev(), 0.0003);
  }

  @Test
  void downloadSpeedAndThroughput() {
    SessionStats s = new SessionStats();
    s.recordDownload(1000, 1.0); // 1000 B/s
    s.recordDownload(3000, 1.0); // 3000 B/s
    SessionStats.Snapshot snap = s.snapshot();
    assertEquals(2, snap.downloads());
    assertEquals(2000.0, snap.speedMean(), 1e-9);
    assertEquals(1000.0, snap.speedStdev(), 1e-9);
    assertEquals(1000.0, snap.speedMin(), 1e-9);
    assertEquals(3000.0, snap.speedMax(), 1e-9);
    assertEquals(2000.0, snap.throughput(), 1e-9);
  }

  @Test
  void instantDownloadCountsBytesNotSpeed() {
    SessionStats s = new SessionStats();
    s.recordDownload(10, 0);
    assertEquals(0, s.snapshot().downloads());
    assertEquals(10, s.snapshot().bytes());
    assertEquals(0, s.snapshot().throughput());
  }
}
