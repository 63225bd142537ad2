package io.p2pshare.bench;

import io.p2pshare.config.Endpoint;

/** Which download machinery the strong-scaling workers use. */
public final class Downloaders {
  public static final String WIRE = "wire";
  public static final String GET = "get";

  /** The names {@code --downloader} accepts. */
  public static String describe(String kind) {
    return switch (kind) {
      case GET -> "get: the peer's download code (GetClient: search, manifest, verified pieces, .part + rename), one client per worker";
      case WIRE -> "wire: blocking OBTAIN over FrameSocket, persistent connection per worker, SHA-256 checked";
      default -> kind;
    };
  }

  /** The factory for {@code kind}; close it after the run (it may own an actor system). */
  public static Closeable factory(String kind, Endpoint index, long pieceSize) {
    return switch (kind) {
      case GET -> {
        GetDownloaders get = new GetDownloaders(index, pieceSize);
        yield new Closeable(get, get);
      }
      case WIRE -> new Closeable(() -> new WireDownloader(index), () -> { });
      default -> throw new IllegalArgumentException("unknown downloader '" + kind + "' (use: get, wire)");
    };
  }

  /** A factory with whatever it needs closed afterwards. */
  public record Closeable(Downloader.Factory factory, AutoCloseable resources) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      resources.close();
    }
  }

  private Downloaders() {}
}
