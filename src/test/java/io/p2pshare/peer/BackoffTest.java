package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), 0.2);

  @Test
  void doublesUpToTheCap() {
    assertEquals(100, b.delay(0, () -> 0.5).toMillis());
    assertEquals(200, b.delay(1, () -> 0.5).toMillis());
    assertEquals(800, b.delay(3, () -> 0.5).toMillis());
    assertEquals(5000, b.delay(10, () -> 0.5).toMillis());
    assertEquals(5000, b.delay(1000, () -> 0.5).toMillis());
  }

  @Test
  void jitterSpreadsWithinBounds() {
    assertEquals(80, b.delay(0, () -> 0.0).toMillis());
    assertEquals(120, b.delay(0, () -> 0.999999).toMillis());
    assertEquals(6000, b.delay(20, () -> 0.999999).toMillis());
  }
}
