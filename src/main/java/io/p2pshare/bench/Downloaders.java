package io.p2pshare.bench;

import io.p2pshare.config.Endpoint;

/** Which download machinery the strong-scaling workers use. */
public final class Downloaders {
  public static final String WIRE = "wire";

  /** The names {@code --downloader} accepts. */
  public static String describe(String kind) {
    return switch (kind) {
      case WIRE -> "wire: blocking OBTAIN over FrameSocket, persistent connection per worker, SHA-256 checked";
      default -> kind;
    };
  }

  public static Downloader.Factory factory(String kind, Endpoint index) {
    return switch (kind) {
      case WIRE -> () -> new WireDownloader(index);
      default -> throw new IllegalArgumentException("unknown downloader '" + kind + "' (use: wire)");
    };
  }

  private Downloaders() {}
}
