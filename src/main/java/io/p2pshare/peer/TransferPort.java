package io.p2pshare.peer;

import akka.actor.typed.javadsl.ActorContext;
import io.p2pshare.config.PeerSettings;
import io.p2pshare.transfer.ServedFiles;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;

/**
 * How the guardian starts the peer's transfer server (the transfer package's TransferServer):
 * bind {@code settings.port()} (0 = ephemeral), serve from {@code files}, complete with the
 * bound address. The server's lifetime is tied to {@code ctx} (a child or a stream owned by it).
 */
@FunctionalInterface
public interface TransferPort {
  CompletionStage<InetSocketAddress> start(ActorContext<?> ctx, PeerSettings settings, ServedFiles files);
}
