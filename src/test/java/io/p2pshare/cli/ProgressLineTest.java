package io.p2pshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProgressLineTest {
  private static final long S = 1_000_000_000L;

  @Test
  void barPercentBytesRateEta() {
    ProgressLine p = new ProgressLine("big.bin", 0);
    p.sample(1 * S, 100L << 20);
    p.sample(2 * S, 200L << 20);
    String line = p.render(200L << 20, 1000L << 20, 2 * S, 100);
    assertTrue(line.startsWith("big.bin ["), line);
    assertTrue(line.contains("]  20% 200 MiB / 1000 MiB  104.86 MB/s  ETA 0:08"), line);
    assertTrue(line.length() <= 100);
  }

  @Test
  void rateUsesTheLastFewSeconds() {
    ProgressLine p = new ProgressLine("x", 0);
    p.sample(1 * S, 0); // stalled at first
    for (int t = 2; t <= 10; t++) {
      p.sample(t * S, (t - 1) * 1_000_000L);
    }
    assertEquals(1_000_000.0, p.rate(), 1.0);
  }

  @Test
  void unknownTotalHasNoBarNorEta() {
    ProgressLine p = new ProgressLine("x", 0);
    p.sample(2 * S, 2_000_000);
    assertEquals("x  1.9 MiB  1.00 MB/s  0:02", p.render(2_000_000, -1, 2 * S, 80));
  }

  @Test
  void narrowTerminalDropsTheBarAndNeverWraps() {
    ProgressLine p = new ProgressLine("a-rather-long-file-name-for-a-small-screen.bin", 0);
    p.sample(S, 1000);
    String line = p.render(1000, 10_000, S, 40);
    assertTrue(line.length() <= 40, line);
    assertTrue(!line.contains("["), line);
  }

  @Test
  void stalledDownloadHasNoEta() {
    ProgressLine p = new ProgressLine("x", 0);
    p.sample(S, 0);
    assertTrue(p.render(0, 100, S, 80).endsWith("ETA --:--"));
  }
}
