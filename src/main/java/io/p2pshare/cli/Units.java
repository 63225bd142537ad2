package io.p2pshare.cli;

import java.util.Locale;

/**
 * Human units for the shell. Sizes are binary (KiB, MiB, GiB: what {@code ls -h} and disks show);
 * rates are decimal (KB/s, MB/s), as the reference prints them ("20.48 KB/s" for 1024 B in
 * 0.05 s).
 */
public final class Units {
  private static final String[] BIN = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  private static final String[] DEC = {"KB/s", "MB/s", "GB/s", "TB/s"};

  /** {@code 1536} → {@code "1.5 KiB"}; under 1 KiB → {@code "512 B"}. */
  public static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double v = bytes;
    int unit = -1;
    while (v >= 1024 && unit < BIN.length - 1) {
      v /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, BIN[unit]);
  }

  /**
   * The exact byte count, with the human size when that says more: {@code "512 bytes"},
   * {@code "1048576 bytes, 1.0 MiB"}.
   */
  public static String bytesAndSize(long bytes) {
    return bytes < 1024 ? bytes + " bytes" : bytes + " bytes, " + size(bytes);
  }

  /** {@code 20480.0} → {@code "20.48 KB/s"}; under 1 KB/s → {@code "512.00 B/s"}. */
  public static String rate(double bytesPerSecond) {
    if (!Double.isFinite(bytesPerSecond) || bytesPerSecond < 0) {
      return "- B/s";
    }
    if (bytesPerSecond < 1000) {
      return String.format(Locale.ROOT, "%.2f B/s", bytesPerSecond);
    }
    double v = bytesPerSecond;
    int unit = -1;
    while (v >= 1000 && unit < DEC.length - 1) {
      v /= 1000;
      unit++;
    }
    return String.format(Locale.ROOT, "%.2f %s", v, DEC[unit]);
  }

  /** Seconds with two decimals, as the reference: {@code "0.05s"}. */
  public static String seconds(double s) {
    return String.format(Locale.ROOT, "%.2fs", s);
  }

  /** An ETA or elapsed time: {@code "0:07"}, {@code "12:03"}, {@code "1:02:03"}. */
  public static String clock(long totalSeconds) {
    if (totalSeconds < 0) {
      return "--:--";
    }
    long h = totalSeconds / 3600;
    long m = (totalSeconds / 60) % 60;
    long s = totalSeconds % 60;
    return h > 0
        ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s)
        : String.format(Locale.ROOT, "%d:%02d", m, s);
  }

  /** The first 12 hex digits of a SHA-256, or {@code "-"} when unknown. */
  public static String shortHash(String sha256) {
    if (sha256 == null || sha256.isBlank()) {
      return "-";
    }
    return sha256.length() <= 12 ? sha256 : sha256.substring(0, 12);
  }

  private Units() {}
}
