package io.p2pshare.cli;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.p2pshare.cli.PeerConsole.Progress;
import io.p2pshare.peer.Download;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Receives one download's events for the shell (which lives outside the actor system): passes
 * progress on, completes {@code outcome} with the final Finished or Failed event, then stops.
 */
final class DownloadWatcher {

  static Behavior<Download.Event> create(Consumer<Progress> progress,
      CompletableFuture<Download.Event> outcome) {
    return Behaviors.receive(Download.Event.class)
        .onMessage(Download.Progress.class, p -> {
          progress.accept(new Progress(p.bytes(), p.total() > 0 ? p.total() : -1, 0));
          return Behaviors.same();
        })
        .onMessage(Download.Finished.class, f -> {
          outcome.complete(f);
          return Behaviors.stopped();
        })
        .onMessage(Download.Failed.class, f -> {
          outcome.complete(f);
          return Behaviors.stopped();
        })
        .build();
  }

  private DownloadWatcher() {}
}
