package io.p2pshare.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pshare.transport.TlsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** tls.* and the new limits: flag > env > file > default; plain TCP unless something is set. */
class TlsConfigTest {
  @Test
  void plainByDefault() {
    AppConfig.Tls t = new ConfigLoader(Map.of()).tls(null, null, null, AppConfig.defaults());
    assertNull(TlsSettings.from(t));
    assertTrue(TlsSettings.forServer(null).isEmpty());
    assertTrue(TlsSettings.forClient(null).isEmpty());
  }

  @Test
  void eachFileResolvesFlagThenEnvThenConfig() {
    AppConfig cfg = ConfigLoader.parse("{\"tls\":{\"cert\":\"/f/cert.pem\",\"key\":\"/f/key.pem\","
        + "\"trust\":\"/f/trust.pem\"}}", "test");
    ConfigLoader env = new ConfigLoader(Map.of(ConfigLoader.ENV_TLS_KEY, "/e/key.pem",
        ConfigLoader.ENV_TLS_TRUST, "/e/trust.pem"));
    AppConfig.Tls t = env.tls(null, null, Path.of("/flag/trust.pem"), cfg);
    assertEquals("/f/cert.pem", t.cert(), "file");
    assertEquals("/e/key.pem", t.key(), "env over file");
    assertEquals("/flag/trust.pem", t.trust(), "flag over env");
    TlsSettings s = TlsSettings.from(t);
    assertTrue(s.canServe());
    assertTrue(TlsSettings.forServer(s).isPresent());
    assertTrue(TlsSettings.forClient(s).isPresent());
  }

  @Test
  void trustAloneIsClientOnly() {
    TlsSettings s = TlsSettings.from(new AppConfig.Tls(null, null, "/t.pem"));
    assertTrue(TlsSettings.forServer(s).isEmpty());
    assertTrue(TlsSettings.forClient(s).isPresent());
  }

  @Test
  void aPeerWithTlsMustServeIt() {
    PeerSettings p = PeerSettings.resolve(AppConfig.defaults(), new ConfigLoader(Map.of()),
        PeerSettings.Flags.of("peer1"));
    ConfigException e = assertThrows(ConfigException.class,
        () -> p.withTls(new TlsSettings(null, null, Path.of("/t.pem"))));
    assertTrue(e.getMessage().contains("--tls-cert"), e.getMessage());
    assertNull(p.withTls(null).tls());
  }

  @Test
  void theShippedConfigSpellsOutTheDefaultLimits() {
    AppConfig shipped = ConfigLoader.read(Path.of("config", "config.json"));
    AppConfig d = AppConfig.defaults();
    assertEquals(d.index(), shipped.index());
    assertEquals(d.peer().maxConnections(), shipped.peer().maxConnections());
    assertEquals(d.peer().maxConnectionsPerAddress(), shipped.peer().maxConnectionsPerAddress());
    assertEquals(d.peer().headerDeadlineMs(), shipped.peer().headerDeadlineMs());
    assertNull(TlsSettings.from(shipped.tls()), "plain TCP by default");
  }

  @Test
  void limitsHaveDefaultsAndComeFromTheFile() {
    AppConfig d = AppConfig.defaults();
    assertEquals(2048, d.index().maxConnectionsPerAddress());
    assertEquals(10_000L, d.index().headerDeadlineMs());
    assertEquals(100_000, d.index().maxFilesPerRegistration());
    assertEquals(4096, d.peer().maxConnections());
    assertEquals(256, d.peer().maxConnectionsPerAddress());
    AppConfig c = ConfigLoader.parse("{\"index\":{\"max_connections_per_address\":8,\"header_deadline_ms\":500,"
        + "\"max_files_per_registration\":10},\"peer\":{\"max_connections\":9,"
        + "\"max_connections_per_address\":3,\"header_deadline_ms\":700}}", "test");
    assertEquals(8, c.index().maxConnectionsPerAddress());
    assertEquals(500L, c.index().headerDeadlineMs());
    assertEquals(10, c.index().maxFilesPerRegistration());
    PeerSettings p = PeerSettings.resolve(c, new ConfigLoader(Map.of()), PeerSettings.Flags.of("peer1"));
    assertEquals(9, p.maxConnections());
    assertEquals(3, p.maxConnectionsPerAddress());
    assertEquals(700L, p.headerDeadlineMs());
    assertEquals(Duration.ofMillis(700), io.p2pshare.transfer.TransferServer.Settings.from(p).limits().headerDeadline());
  }

  @Test
  void theControlPortRunsOnOneEventLoopUnlessConfiguredOtherwise() {
    assertEquals(1, AppConfig.defaults().index().controlLoops());
    assertEquals(0, ConfigLoader.parse("{\"index\":{\"control_loops\":0}}", "test").index().controlLoops());
    assertEquals(2, ConfigLoader.parse("{\"index\":{\"control_loops\":2}}", "test").index().controlLoops());
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
        () -> ConfigLoader.parse("{\"index\":{\"control_loops\":-1}}", "test"));
    org.junit.jupiter.api.Assertions.assertTrue(String.valueOf(e.getMessage()).contains("control_loops"),
        e.getMessage());
  }
}
