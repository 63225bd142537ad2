package io.p2pshare.transport;

import java.nio.file.Path;

/**
 * Optional TLS for a port or a client: PEM certificate chain and PKCS#8 key (servers), PEM trust
 * anchors (clients: the certificates or CA they accept; null = the JVM's default trust store).
 */
public record TlsSettings(Path certPem, Path keyPem, Path trustPem) {
  public boolean canServe() {
    return certPem != null && keyPem != null;
  }

  /** From resolved config values; null when none is set (plain TCP). */
  public static TlsSettings from(io.p2pshare.config.AppConfig.Tls tls) {
    if (tls == null || (tls.cert() == null && tls.key() == null && tls.trust() == null)) {
      return null;
    }
    return new TlsSettings(path(tls.cert()), path(tls.key()), path(tls.trust()));
  }

  /**
   * For a server port: present when a certificate or key is set (both are then required,
   * {@link TlsContexts#server} says so); empty = plain.
   */
  public static java.util.Optional<TlsSettings> forServer(TlsSettings tls) {
    return tls != null && (tls.certPem() != null || tls.keyPem() != null)
        ? java.util.Optional.of(tls) : java.util.Optional.empty();
  }

  /**
   * For client connections: TLS when trust anchors are given, or when this process serves TLS
   * itself (then the JVM's default trust store verifies, for CA-issued certificates).
   */
  public static java.util.Optional<TlsSettings> forClient(TlsSettings tls) {
    return tls != null && (tls.trustPem() != null || tls.certPem() != null)
        ? java.util.Optional.of(tls) : java.util.Optional.empty();
  }

  private static Path path(String s) {
    return s == null || s.isBlank() ? null : Path.of(s);
  }
}
