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
}
