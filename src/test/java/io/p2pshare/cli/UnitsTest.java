package io.p2pshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class UnitsTest {
  @Test
  void sizes() {
    assertEquals("0 B", Units.size(0));
    assertEquals("1023 B", Units.size(1023));
    assertEquals("1.0 KiB", Units.size(1024));
    assertEquals("1.5 KiB", Units.size(1536));
    assertEquals("100 MiB", Units.size(100L << 20));
    assertEquals("1.0 GiB", Units.size(1L << 30));
    assertEquals("1023 bytes", Units.bytesAndSize(1023));
    assertEquals("1048576 bytes, 1.0 MiB", Units.bytesAndSize(1 << 20));
  }

  @Test
  void ratesAreDecimalAsTheReference() {
    assertEquals("20.48 KB/s", Units.rate(1024 / 0.05));
    assertEquals("512.00 B/s", Units.rate(512));
    assertEquals("115.00 MB/s", Units.rate(115e6));
    assertEquals("- B/s", Units.rate(Double.NaN));
  }

  @Test
  void clockAndHash() {
    assertEquals("0:07", Units.clock(7));
    assertEquals("12:03", Units.clock(723));
    assertEquals("1:02:03", Units.clock(3723));
    assertEquals("--:--", Units.clock(-1));
    assertEquals("0.05s", Units.seconds(0.0512));
    assertEquals("abcdef012345", Units.shortHash("abcdef0123456789"));
    assertEquals("-", Units.shortHash(null));
  }
}
