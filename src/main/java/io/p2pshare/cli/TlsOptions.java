package io.p2pshare.cli;

import io.p2pshare.config.AppConfig;
import io.p2pshare.config.ConfigLoader;
import io.p2pshare.transport.TlsContexts;
import io.p2pshare.transport.TlsSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --tls-cert FILE --tls-key FILE [--tls-trust FILE]} for the serving roles ({@code index},
 * {@code peer}). Each falls back to {@code $P2P_TLS_CERT/KEY/TRUST}, then {@code tls.*} in the
 * config; none set = plain TCP. The files are read once here, so a bad one is a one-line error at
 * start-up, not a failed port later.
 */
public final class TlsOptions {
  @Option(names = "--tls-cert", paramLabel = "FILE",
      description = "Serve TLS with this PEM certificate chain (with --tls-key; default tls.cert, $P2P_TLS_CERT).")
  Path cert;

  @Option(names = "--tls-key", paramLabel = "FILE",
      description = "PKCS#8 PEM private key of --tls-cert (default tls.key, $P2P_TLS_KEY).")
  Path key;

  @Option(names = "--tls-trust", paramLabel = "FILE",
      description = "peer: PEM certificates (or CA) to trust when connecting to the index and other peers"
          + " (default tls.trust, $P2P_TLS_TRUST; else the JVM's trust store). The index connects to nobody.")
  Path trust;

  /** The resolved settings, checked; null = plain TCP. */
  TlsSettings resolve(ConfigLoader loader, AppConfig cfg) {
    TlsSettings tls = TlsSettings.from(loader.tls(cert, key, trust, cfg));
    if (tls != null) {
      TlsSettings.forServer(tls).ifPresent(TlsContexts::server);
      TlsSettings.forClient(tls).ifPresent(t -> TlsContexts.client(t, "localhost", 0));
    }
    return tls;
  }
}
