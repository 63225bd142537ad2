package io.p2pshare.cli;

import io.p2pshare.config.AppConfig;
import io.p2pshare.config.ConfigLoader;
import io.p2pshare.transport.ClientSockets;
import io.p2pshare.transport.TlsContexts;
import io.p2pshare.transport.TlsSettings;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --tls-trust FILE} for the one-shot clients ({@code search}, {@code get}, {@code stats}):
 * talk TLS to the index (and peers), trusting these PEM certificates. Falls back to
 * {@code $P2P_TLS_TRUST}, then {@code tls.trust} in the config; none = plain TCP.
 */
public final class TlsTrustOption {
  @Option(names = "--tls-trust", paramLabel = "FILE",
      description = "Use TLS, trusting these PEM certificates or CA (default tls.trust, $P2P_TLS_TRUST; none = plain TCP).")
  Path trust;

  /** TLS for client connections, checked; empty = plain. */
  Optional<TlsSettings> resolve(ConfigLoader loader, AppConfig cfg) {
    AppConfig.Tls t = loader.tls(null, null, trust, cfg);
    // A client needs no certificate of its own: only the trust anchors count here.
    Optional<TlsSettings> tls = t.trust() == null ? Optional.empty()
        : Optional.of(new TlsSettings(null, null, Path.of(t.trust())));
    tls.ifPresent(s -> TlsContexts.client(s, "localhost", 0));
    return tls;
  }

  ClientSockets sockets(ConfigLoader loader, AppConfig cfg) {
    return ClientSockets.of(resolve(loader, cfg));
  }
}
