package io.p2pshare.config;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerSettingsTest {
  private static final ConfigLoader NO_ENV = new ConfigLoader(Map.of());

  @Test
  void peerNMapsToBasePortPlusNMinusOne() {
    assertEquals(7100, PeerSettings.derivePort("peer1", 7100));
    assertEquals(7101, PeerSettings.derivePort("peer2", 7100));
    assertEquals(9009, PeerSettings.derivePort("peer10", 9000));
  }

  @Test
  void otherIdsNeedAPortFlag() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> PeerSettings.derivePort("alice", 7100));
    assertTrue(e.getMessage().contains("--port"), e.getMessage());
    assertThrows(ConfigException.class, () -> PeerSettings.derivePort("peer0", 7100));
    PeerSettings s = PeerSettings.resolve(AppConfig.defaults(), NO_ENV,
        new PeerSettings.Flags("alice", 7555, null, null, null, null));
    assertEquals(7555, s.port());
  }

  @Test
  void portFlagWinsOverDerivedPort() {
    PeerSettings s = PeerSettings.resolve(AppConfig.defaults(), NO_ENV,
        new PeerSettings.Flags("peer2", 0, null, null, null, null));
    assertEquals(0, s.port());
  }

  @Test
  void dirsComeFromConfigPeersEntry() {
    AppConfig c = ConfigLoader.parse("{\"data\":{\"peers\":{\"peer1\":{\"shared_dir\":\"/x/s\","
        + "\"download_dir\":\"/x/d\",\"replicated_dir\":\"/x/r\"}}}}", "test");
    PeerSettings s = PeerSettings.resolve(c, NO_ENV, PeerSettings.Flags.of("peer1"));
    assertEquals(Path.of("/x/s"), s.sharedDir());
    assertEquals(Path.of("/x/d"), s.downloadDir());
    assertEquals(Path.of("/x/r"), s.replicatedDir());
  }

  @Test
  void unknownIdUsesDataDirLayoutAndDataDirFlagWins(@TempDir Path tmp) {
    AppConfig c = ConfigLoader.parse("{\"data\":{\"peers\":{\"peer1\":{\"shared_dir\":\"/x/s\"}}}}", "t");
    PeerSettings s = PeerSettings.resolve(c, NO_ENV,
        new PeerSettings.Flags("peer1", null, null, tmp, null, null));
    assertEquals(tmp.resolve("peer1/shared"), s.sharedDir());
    assertEquals(tmp.resolve("peer1/downloaded"), s.downloadDir());
    assertEquals(tmp.resolve("peer1/replicated"), s.replicatedDir());
    PeerSettings d = PeerSettings.resolve(AppConfig.defaults(), NO_ENV, PeerSettings.Flags.of("peer7"));
    assertEquals(Path.of("data", "peer7", "shared"), d.sharedDir());
    ConfigLoader env = new ConfigLoader(Map.of(ConfigLoader.ENV_DATA_DIR, tmp.toString()));
    assertEquals(tmp.resolve("peer1/replicated"),
        PeerSettings.resolve(c, env, PeerSettings.Flags.of("peer1")).replicatedDir());
  }

  @Test
  void createDirsMakesMissingDirectories(@TempDir Path tmp) {
    PeerSettings s = PeerSettings.resolve(AppConfig.defaults(), NO_ENV,
        new PeerSettings.Flags("peer3", null, null, tmp, null, null)).createDirs();
    assertTrue(Files.isDirectory(s.sharedDir()));
    assertTrue(Files.isDirectory(s.downloadDir()));
    assertTrue(Files.isDirectory(s.replicatedDir()));
  }

  @Test
  void indexFlagAndRates() {
    PeerSettings s = PeerSettings.resolve(AppConfig.defaults(), NO_ENV,
        new PeerSettings.Flags("peer1", null, "10.0.0.1:7001", null, "20MB", "512k"));
    assertEquals(new Endpoint("10.0.0.1", 7001), s.index());
    assertEquals(20L * 1024 * 1024, s.maxUploadRate());
    assertEquals(512L * 1024, s.maxDownloadRate());
    assertEquals(0, PeerSettings.parseRate(null));
    assertEquals(1024L * 1024 * 1024, PeerSettings.parseRate("1GiB/s"));
    assertThrows(ConfigException.class, () -> PeerSettings.parseRate("fast"));
  }

  @Test
  void badPeerIdIsRefused() {
    assertThrows(ConfigException.class, () -> PeerSettings.resolve(AppConfig.defaults(), NO_ENV,
        PeerSettings.Flags.of("../evil")));
  }
}
