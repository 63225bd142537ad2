package io.p2pshare.transport;

import akka.actor.typed.ActorSystem;
import akka.NotUsed;
import akka.stream.TLSClosing;
import akka.stream.TLSProtocol;
import akka.stream.javadsl.BidiFlow;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.TLS;
import akka.stream.javadsl.Tcp;
import akka.util.ByteString;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;

/**
 * The one place that opens TCP: plain, or TLS when settings are given. Servers and clients call
 * this instead of {@code Tcp.get(system)} directly so every port gets TLS the same way.
 */
public final class Transport {
  private static final int BACKLOG = 1024;

  /** Binds {@code host:port} (0 = ephemeral); halfClose false, with an idle timeout if given. */
  public static Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> bind(
      ActorSystem<?> system, String host, int port, Optional<TlsSettings> tls, Optional<Duration> idleTimeout) {
    return bind(system, host, port, tls, idleTimeout, Duration.ZERO, (remote, failure) -> { });
  }

  /**
   * As above; with TLS, {@code onTlsFailure} hears of each connection that ended without completing
   * a handshake (a plain client, an untrusted certificate, garbage, a bare TCP connect), once per
   * connection. Such failures never reach the plaintext flow the server handles, so this is the
   * only place to count them. A handshake not finished within {@code handshakeDeadline} (zero:
   * no limit) is cut: the TLS twin of the header deadline, so a client trickling its hello a
   * byte at a time cannot hold a connection either.
   */
  public static Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> bind(
      ActorSystem<?> system, String host, int port, Optional<TlsSettings> tls, Optional<Duration> idleTimeout,
      Duration handshakeDeadline, BiConsumer<InetSocketAddress, Throwable> onTlsFailure) {
    Tcp tcp = Tcp.get(system);
    if (tls.isEmpty()) {
      return tcp.bind(host, port, BACKLOG, List.of(), false, idleTimeout);
    }
    // What Tcp.bindWithTls does (halfClose true under TLS, eager close), plus a watch on the
    // cipher-text side of each connection.
    Supplier<SSLEngine> engines = TlsContexts.server(tls.get());
    return tcp.bind(host, port, BACKLOG, List.of(), true, idleTimeout).map(conn -> {
      // Akka's TLS stage ends both sides normally after a failed handshake (it sends the alert and
      // closes), so the sign of failure is a connection that ends without a verified session.
      AtomicBoolean handshaken = new AtomicBoolean();
      AtomicBoolean timedOut = new AtomicBoolean();
      AtomicBoolean told = new AtomicBoolean();
      Consumer<Throwable> failed = err -> {
        if (!handshaken.get() && told.compareAndSet(false, true)) {
          onTlsFailure.accept(conn.remoteAddress(), err != null ? err : new javax.net.ssl.SSLException(
              timedOut.get() ? "TLS handshake not finished within " + handshakeDeadline.toMillis() + " ms"
                  : "connection ended before the TLS handshake completed"));
        }
      };
      Flow<ByteString, ByteString, NotUsed> cipherIn = Flow.of(ByteString.class);
      if (!handshakeDeadline.isZero() && !handshakeDeadline.isNegative()) {
        // A marker after the deadline ends the incoming cipher text unless the handshake is done.
        cipherIn = cipherIn.map(Optional::of)
            .merge(Source.single(Optional.<ByteString>empty()).initialDelay(handshakeDeadline))
            .takeWhile(b -> {
              if (b.isPresent() || handshaken.get()) {
                return true;
              }
              timedOut.set(true);
              return false;
            })
            .filter(Optional::isPresent)
            .map(Optional::get);
      }
      BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> watch = BidiFlow.fromFlows(
          cipherIn.watchTermination((nu, done) -> {
            done.whenComplete((d, e) -> failed.accept(e));
            return NotUsed.getInstance();
          }),
          Flow.of(ByteString.class).watchTermination((nu, done) -> {
            done.whenComplete((d, e) -> failed.accept(e));
            return NotUsed.getInstance();
          }));
      BidiFlow<ByteString, TLSProtocol.SslTlsOutbound, TLSProtocol.SslTlsInbound, ByteString, NotUsed> plain =
          BidiFlow.fromFlows(
              Flow.of(ByteString.class).map(b -> (TLSProtocol.SslTlsOutbound) new TLSProtocol.SendBytes(b)),
              Flow.of(TLSProtocol.SslTlsInbound.class)
                  .filter(in -> in instanceof TLSProtocol.SessionBytes)
                  .map(in -> ((TLSProtocol.SessionBytes) in).bytes()));
      BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> tlsLayer =
          plain.atop(TLS.create(engines, session -> handshaken.set(true), TLSClosing.eagerClose())).reversed();
      Flow<ByteString, ByteString, NotUsed> secured = conn.flow().join(watch.atop(tlsLayer));
      return new Tcp.IncomingConnection(new akka.stream.scaladsl.Tcp.IncomingConnection(
          conn.localAddress(), conn.remoteAddress(), secured.asScala()));
    });
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
