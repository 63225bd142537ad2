package io.p2pshare.index;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/** Checks that a peer that never heartbeats (a base client) still accepts connections. */
@FunctionalInterface
public interface Prober {
  /** Completes with true when a TCP connect to host:port succeeds; never fails. */
  CompletionStage<Boolean> probe(String host, int port);

  /** A real TCP connect (then close), run on {@code blockingExecutor} (Akka's blocking-io dispatcher). */
  static Prober tcp(Executor blockingExecutor, Duration timeout) {
    int ms = (int) Math.max(1, timeout.toMillis());
    return (host, port) -> CompletableFuture.supplyAsync(() -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, port), ms);
        return true;
      } catch (IOException | IllegalArgumentException e) {
        return false;
      }
    }, blockingExecutor);
  }
}
