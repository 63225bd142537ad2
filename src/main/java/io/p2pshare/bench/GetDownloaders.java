package io.p2pshare.bench;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import io.p2pshare.config.Endpoint;
import io.p2pshare.peer.Download;
import io.p2pshare.peer.GetClient;
import io.p2pshare.protocol.SearchResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The peer's own download machinery ({@code get}: search, manifest, pieces verified as they
 * land, {@code .part} + rename) as strong-scaling workers: one actor system for the run, one
 * {@link GetClient} per worker (its own index connection and source connections, one file at a
 * time, so a level's concurrency is the worker count).
 */
public final class GetDownloaders implements Downloader.Factory, AutoCloseable {
  private final ActorSystem<Void> system;
  private final Endpoint index;
  private final long pieceSize;

  public GetDownloaders(Endpoint index, long pieceSize) {
    this.index = index;
    this.pieceSize = pieceSize;
    this.system = ActorSystem.create(Behaviors.empty(), "p2pshare-bench", ConfigFactory.load());
  }

  @Override
  public Downloader open() {
    GetClient client = new GetClient(system, index, 0, pieceSize, 1);
    return new Downloader() {
      /** Holders per name from {@link #prepare}; a name looked up is used once. */
      private final java.util.Map<String, java.util.List<SearchResult>> found = new java.util.HashMap<>();

      @Override
      public void prepare(java.util.List<FileSpec> share) throws Exception {
        // As get does for a list of names: one pipelined lookup, then the fetches one by one.
        found.putAll(client.lookup(share.stream().map(FileSpec::name).distinct().toList()));
      }

      @Override
      public Path download(FileSpec file, Path outDir) throws Exception {
        Download.Event e = client.downloadNow(file.name(), outDir, found.remove(file.name()));
        if (e instanceof Download.Finished f) {
          return f.path();
        }
        Download.Failed f = (Download.Failed) e;
        throw new IOException(f.fileName() + ": " + f.error() + " (" + f.code() + ")");
      }

      @Override
      public void close() {
        client.close();
      }
    };
  }

  @Override
  public void close() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
