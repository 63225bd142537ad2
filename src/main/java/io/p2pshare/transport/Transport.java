package io.p2pshare.transport;

import akka.actor.typed.ActorSystem;
import akka.stream.TLSClosing;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.Tcp;
import akka.util.ByteString;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The one place that opens TCP: plain, or TLS when settings are given. Servers and clients call
 * this instead of {@code Tcp.get(system)} directly so every port gets TLS the same way.
 */
public final class Transport {
  private static final int BACKLOG = 1024;

  /** Binds {@code host:port} (0 = ephemeral); halfClose false, with an idle timeout if given. */
  public static Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> bind(
      ActorSystem<?> system, String host, int port, Optional<TlsSettings> tls, Optional<Duration> idleTimeout) {
    Tcp tcp = Tcp.get(system);
    if (tls.isPresent()) {
      return tcp.bindWithTls(host, port, TlsContexts.server(tls.get()), BACKLOG, List.of(),
          idleTimeout, session -> Optional.empty(), TLSClosing.eagerClose());
    }
    return tcp.bind(host, port, BACKLOG, List.of(), false, idleTimeout);
  }

  /** A client connection; with TLS the server's certificate must match {@code host}. */
  public static Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>> connect(
      ActorSystem<?> system, String host, int port, Optional<TlsSettings> tls,
      Optional<Duration> connectTimeout, Optional<Duration> idleTimeout) {
    Tcp tcp = Tcp.get(system);
    InetSocketAddress remote = InetSocketAddress.createUnresolved(host, port);
    if (tls.isPresent()) {
      return tcp.outgoingConnectionWithTls(remote, TlsContexts.client(tls.get(), host, port),
          Optional.empty(), List.of(), connectTimeout, idleTimeout,
          session -> Optional.empty(), TLSClosing.eagerClose());
    }
    return tcp.outgoingConnection(remote, Optional.empty(), List.of(), true, connectTimeout, idleTimeout);
  }

  private Transport() {}
}
