package io.p2pshare.transport;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import java.util.Optional;

/**
 * The TLS settings of this process's client connections (to the index, to other peers), reachable
 * from every actor and stream of its ActorSystem, so a download or index connection opened deep
 * inside the peer needs no extra constructor argument. Installed once, before any connection, by
 * whoever starts the system (PeerGuardian's constructor, the {@code get} command); until then
 * (and by default) connections are plain.
 */
public final class NodeTls implements Extension {
  private static final Id ID = new Id();
  private volatile TlsSettings settings;

  private NodeTls() {}

  public static NodeTls get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** {@code null} = plain TCP. */
  public void install(TlsSettings tls) {
    this.settings = tls;
  }

  /** TLS for client connections of this system, if configured. */
  public static Optional<TlsSettings> client(ActorSystem<?> system) {
    return TlsSettings.forClient(get(system).settings);
  }

  /** Blocking sockets with the same TLS choice. */
  public static ClientSockets sockets(ActorSystem<?> system) {
    return ClientSockets.of(client(system));
  }

  private static final class Id extends ExtensionId<NodeTls> {
    @Override
    public NodeTls createExtension(ActorSystem<?> system) {
      return new NodeTls();
    }
  }
}
