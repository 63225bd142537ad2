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
      /** The share's exact searches, sent by {@link #prepare} and read as each file comes up. */
      private GetClient.LookupsAhead ahead;

      @Override
      public void prepare(List<FileSpec> share) throws Exception {
        // Every search goes out at once; the first fetch waits for one answer only and the
        // index answers the rest while the files come in.
        ahead = client.lookupAhead(share.stream().map(FileSpec::name).toList());
      }

      @Override
      public Path download(FileSpec file, Path outDir) throws Exception {
        List<SearchResult> holders = ahead == null ? null : ahead.take(file.name());
        Download.Event e = client.downloadNow(file.name(), outDir, holders);
        if (e instanceof Download.Finished f) {
          return f.path();
        }
        Download.Failed f = (Download.Failed) e;
        throw new IOException(f.fileName() + ": " + f.error() + " (" + f.code() + ")");
      }

      @Override
      public void close() {
        if (ahead != null) {
          ahead.close();
        }
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
