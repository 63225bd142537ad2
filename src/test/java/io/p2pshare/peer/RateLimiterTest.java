package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class RateLimiterTest {
  @Test
  void unlimitedNeverWaits() {
    assertEquals(0, RateLimiter.UNLIMITED.reserve(1L << 40));
  }

  @Test
  void oneSecondOfBurstThenPacedByTheRate() {
    RateLimiter r = new RateLimiter(1000);
    assertEquals(0, r.reserve(1000), "the first second is free (burst)");
    long wait = r.reserve(500);
    assertTrue(wait > 400_000_000L && wait <= 500_000_000L, "500 bytes at 1000 B/s: ~0.5 s, was " + wait);
    long next = r.reserve(1000);
    assertTrue(next > 1_300_000_000L, "debt accumulates: " + next);
  }
}
