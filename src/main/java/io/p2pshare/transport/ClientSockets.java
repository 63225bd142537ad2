package io.p2pshare.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Optional;

/**
 * Opens the blocking client sockets (the one-shot commands' {@code FrameSocket}, the peer's pooled
 * download connections): plain TCP, or TLS from the same context {@link TlsContexts} builds for
 * Streams connections, with the same hostname check.
 */
public final class ClientSockets {
  public static final ClientSockets PLAIN = new ClientSockets(null);

  private final TlsSettings tls;

  private ClientSockets(TlsSettings tls) {
    this.tls = tls;
  }

  public static ClientSockets of(Optional<TlsSettings> tls) {
    return tls.map(ClientSockets::new).orElse(PLAIN);
  }

  public boolean secure() {
    return tls != null;
  }

  /**
   * Connects within {@code timeoutMs} (also the read timeout, and the TLS handshake's limit), with
   * TCP_NODELAY; {@code receiveBufferBytes} > 0 is set before connecting (window scaling).
   */
  public Socket connect(String host, int port, int timeoutMs, int receiveBufferBytes) throws IOException {
    return connect(host, port, timeoutMs, receiveBufferBytes, false);
  }

  /**
   * As above; with {@code channel} a plain socket is a {@link java.nio.channels.SocketChannel}'s
   * ({@link Socket#getChannel()}), whose streams work as usual (read timeout included) and which
   * can also read straight into direct buffers. TLS sockets never have a channel.
   */
  public Socket connect(String host, int port, int timeoutMs, int receiveBufferBytes, boolean channel)
      throws IOException {
    Socket s = channel && tls == null ? java.nio.channels.SocketChannel.open().socket() : new Socket();
    try {
      s.setTcpNoDelay(true);
      if (receiveBufferBytes > 0) {
        s.setReceiveBufferSize(receiveBufferBytes);
      }
      s.connect(new InetSocketAddress(host, port), timeoutMs);
      s.setSoTimeout(timeoutMs);
      return tls == null ? s : TlsContexts.clientSocket(tls, s, host, port);
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }
}
