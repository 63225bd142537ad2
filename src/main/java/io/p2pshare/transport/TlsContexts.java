package io.p2pshare.transport;

import io.p2pshare.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.net.Socket;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** Builds SSL engines from PEM files: TLS 1.3/1.2 only, clients verify the server's name. */
public final class TlsContexts {
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
  private static final Map<TlsSettings, SSLContext> CONTEXTS = new ConcurrentHashMap<>();

  /** Engines for a server port; the certificate and key must be set. */
  public static Supplier<SSLEngine> server(TlsSettings tls) {
    if (!tls.canServe()) {
      throw new ConfigException("TLS on a server needs both --tls-cert and --tls-key");
    }
    SSLContext ctx = context(tls);
    return () -> {
      SSLEngine engine = ctx.createSSLEngine();
      engine.setUseClientMode(false);
      engine.setEnabledProtocols(PROTOCOLS);
      return engine;
    };
  }

  /** Engines for a client to {@code host:port}; the server's certificate must name {@code host}. */
  public static Supplier<SSLEngine> client(TlsSettings tls, String host, int port) {
    SSLContext ctx = context(tls);
    return () -> {
      SSLEngine engine = ctx.createSSLEngine(host, port);
      engine.setUseClientMode(true);
      engine.setEnabledProtocols(PROTOCOLS);
      SSLParameters params = engine.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS"); // hostname / IP SAN check
      engine.setSSLParameters(params);
      return engine;
    };
  }

  /**
   * Wraps a connected plain socket in TLS as the client of {@code host:port} and completes the
   * handshake (under the socket's read timeout): the blocking twin of {@link #client}, same
   * context, protocols and hostname check.
   */
  public static SSLSocket clientSocket(TlsSettings tls, Socket connected, String host, int port)
      throws IOException {
    SSLSocket s = (SSLSocket) context(tls).getSocketFactory().createSocket(connected, host, port, true);
    s.setUseClientMode(true);
    s.setEnabledProtocols(PROTOCOLS);
    SSLParameters params = s.getSSLParameters();
    params.setEndpointIdentificationAlgorithm("HTTPS");
    s.setSSLParameters(params);
    s.startHandshake();
    return s;
  }

  /** One context per settings: the PEM files are read once, not per connection. */
  static SSLContext context(TlsSettings tls) {
    SSLContext known = CONTEXTS.get(tls);
    if (known != null) {
      return known;
    }
    SSLContext built = build(tls);
    CONTEXTS.putIfAbsent(tls, built);
    return built;
  }

  private static SSLContext build(TlsSettings tls) {
    try {
      KeyManagerFactory kmf = null;
      if (tls.canServe()) {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        Certificate[] chain = readCertificates(tls.certPem()).toArray(new Certificate[0]);
        if (chain.length == 0) {
          throw new ConfigException("no certificate in " + tls.certPem());
        }
        ks.setKeyEntry("p2pshare", readKey(tls.keyPem()), new char[0], chain);
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (tls.trustPem() != null) {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (Certificate c : readCertificates(tls.trustPem())) {
          trust.setCertificateEntry("trusted-" + i++, c);
        }
        tmf.init(trust);
      } else {
        tmf.init((KeyStore) null);
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new ConfigException("cannot set up TLS: " + e.getMessage());
    }
  }

  static Collection<? extends Certificate> readCertificates(Path pem) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      return CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new ConfigException("TLS file not found: " + pem);
    }
  }

  static PrivateKey readKey(Path pem) throws IOException, GeneralSecurityException {
    String text;
    try {
      text = Files.readString(pem, StandardCharsets.US_ASCII);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new ConfigException("TLS file not found: " + pem);
    }
    if (text.contains("BEGIN RSA PRIVATE KEY") || text.contains("BEGIN EC PRIVATE KEY")) {
      throw new ConfigException(pem + " is not PKCS#8; convert it: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
    }
    int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = text.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new ConfigException("no PKCS#8 'PRIVATE KEY' block in " + pem);
    }
    byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + 27, end));
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (GeneralSecurityException tryNext) {
        // the PEM does not say the algorithm: try the common ones in turn
      }
    }
    throw new ConfigException("unsupported private key type in " + pem + " (RSA, EC or Ed25519 expected)");
  }

  private TlsContexts() {}
}
