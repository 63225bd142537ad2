package io.p2pshare.peer;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter: attempt k waits {@code min · 2^k} capped at {@code max}, then
 * scaled by a random factor in [1 − jitter, 1 + jitter] so that many peers coming back after an
 * index restart do not reconnect in lock step.
 */
public record Backoff(Duration min, Duration max, double jitter) {
  public Backoff {
    if (min.isNegative() || max.compareTo(min) < 0 || jitter < 0 || jitter >= 1) {
      throw new IllegalArgumentException("bad backoff " + min + ".." + max + " jitter " + jitter);
    }
  }

  public static Backoff defaults() {
    return new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2);
  }

  /** The delay before attempt {@code attempt} (0-based); {@code random} yields [0, 1). */
  public Duration delay(int attempt, DoubleSupplier random) {
    double base = min.toMillis() * Math.pow(2, Math.min(attempt, 30));
    double capped = Math.min(base, max.toMillis());
    double factor = 1 + jitter * (2 * random.getAsDouble() - 1);
    return Duration.ofMillis(Math.max(1, Math.round(capped * factor)));
  }
}
