package io.p2pshare.transport;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/** A throwaway self-signed certificate for 127.0.0.1/localhost, made with the JDK's keytool. */
public final class SelfSignedCert {
  public final Path cert;
  public final Path key;

  private SelfSignedCert(Path cert, Path key) {
    this.cert = cert;
    this.key = key;
  }

  public static SelfSignedCert create(Path dir, String cn) throws Exception {
    Path ks = dir.resolve(cn + ".p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "p2p", "-keyalg", "EC",
        "-groupname", "secp256r1", "-dname", "CN=" + cn, "-ext", "SAN=ip:127.0.0.1,dns:localhost",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", ks.toString(),
        "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool failed");
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(ks)) {
      store.load(in, "changeit".toCharArray());
    }
    PrivateKey pk = (PrivateKey) store.getKey("p2p", "changeit".toCharArray());
    Certificate c = store.getCertificate("p2p");
    Path cert = dir.resolve(cn + ".crt.pem");
    Path key = dir.resolve(cn + ".key.pem");
    Files.writeString(cert, pem("CERTIFICATE", c.getEncoded()), StandardCharsets.US_ASCII);
    Files.writeString(key, pem("PRIVATE KEY", pk.getEncoded()), StandardCharsets.US_ASCII);
    return new SelfSignedCert(cert, key);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
