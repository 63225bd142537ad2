package io.p2pshare.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything one peer process needs, resolved once from flags, environment, config file and
 * defaults (in that order of precedence).
 */
public record PeerSettings(
    String peerId,
    String host,
    int port,
    Path sharedDir,
    Path downloadDir,
    Path replicatedDir,
    Endpoint index,
    long heartbeatIntervalMs,
    long pieceSize,
    int maxUploads,
    int maxTasks,
    long maxUploadRate,
    long maxDownloadRate,
    io.p2pshare.transport.TlsSettings tls,
    int maxConnections,
    int maxConnectionsPerAddress,
    long headerDeadlineMs) {

  private static final Pattern PEER_N = Pattern.compile("peer(\\d+)");
  private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmg]?i?b?)(?:/s)?");

  /** Command-line values; null when the flag was not given. */
  public record Flags(
      String peerId, Integer port, String index, Path dataDir, String maxUploadRate,
      String maxDownloadRate) {
    public static Flags of(String peerId) {
      return new Flags(peerId, null, null, null, null, null);
    }
  }

  public static PeerSettings resolve(AppConfig config, ConfigLoader loader, Flags flags) {
    String id = flags.peerId();
    if (id == null || id.isBlank()) {
      throw new ConfigException("--peer ID is required");
    }
    if (!id.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new ConfigException("peer id '" + id + "' must be 1-64 of [A-Za-z0-9_.-]");
    }
    int port = flags.port() != null ? flags.port() : derivePort(id, config.peer().basePort());
    if (port < 0 || port > 65535) {
      throw new ConfigException("port out of range: " + port);
    }
    String host = loader.env(ConfigLoader.ENV_ADVERTISE_HOST);
    if (host == null) {
      host = config.peer().host();
    }
    Path[] dirs = dirs(config, loader, id, flags.dataDir());
    return new PeerSettings(
        id, host, port, dirs[0], dirs[1], dirs[2],
        loader.indexEndpoint(flags.index(), config),
        config.replication().heartbeatIntervalMs(),
        config.peer().pieceSizeBytes(),
        config.peer().maxUploads(),
        config.replication().maxTasksPerPeer(),
        parseRate(flags.maxUploadRate()),
        parseRate(flags.maxDownloadRate()),
        null,
        config.peer().maxConnections(),
        config.peer().maxConnectionsPerAddress(),
        config.peer().headerDeadlineMs());
  }

  /** {@code peerN} → {@code basePort + N − 1}; any other id needs {@code --port}. */
  public static int derivePort(String peerId, int basePort) {
    Matcher m = PEER_N.matcher(peerId);
    if (m.matches() && m.group(1).length() < 6) {
      int n = Integer.parseInt(m.group(1));
      if (n >= 1 && basePort + n - 1 <= 65535) {
        return basePort + n - 1;
      }
    }
    throw new ConfigException("cannot derive a port for peer id '" + peerId
        + "' (only peerN ids map to base_port + N - 1): give --port");
  }

  /**
   * shared, downloaded, replicated. An explicit data dir (flag, then {@code P2P_DATA_DIR}) wins
   * over the file's {@code data.peers.<id>}; otherwise {@code data.base_dir/<id>/…}.
   */
  static Path[] dirs(AppConfig config, ConfigLoader loader, String id, Path dataDirFlag) {
    Path dataDir = dataDirFlag;
    if (dataDir == null && loader.env(ConfigLoader.ENV_DATA_DIR) != null) {
      dataDir = Path.of(loader.env(ConfigLoader.ENV_DATA_DIR));
    }
    AppConfig.PeerDirs fromFile = config.data().peers().get(id);
    if (dataDir == null && fromFile != null) {
      Path base = Path.of(config.data().baseDir(), id);
      return new Path[] {
        orElse(fromFile.sharedDir(), base.resolve("shared")),
        orElse(fromFile.downloadDir(), base.resolve("downloaded")),
        orElse(fromFile.replicatedDir(), base.resolve("replicated"))
      };
    }
    Path base = (dataDir == null ? Path.of(config.data().baseDir()) : dataDir).resolve(id);
    return new Path[] {
      base.resolve("shared"), base.resolve("downloaded"), base.resolve("replicated")
    };
  }

  private static Path orElse(String configured, Path fallback) {
    return configured == null || configured.isBlank() ? fallback : Path.of(configured);
  }

  /** Creates the three directories if missing. */
  public PeerSettings createDirs() {
    for (Path d : new Path[] {sharedDir, downloadDir, replicatedDir}) {
      try {
        Files.createDirectories(d);
      } catch (IOException e) {
        throw new ConfigException("cannot create directory " + d + ": " + e.getMessage());
      }
    }
    return this;
  }

  /**
   * Bytes per second from {@code 20MB}, {@code 100MiB/s}, {@code 512k}, {@code 1000}; null or
   * empty or {@code 0} means unlimited (0). Units are binary (1 MB = 1 MiB), as disks and
   * {@code ls -h} count.
   */
  public static long parseRate(String text) {
    if (text == null || text.isBlank()) {
      return 0;
    }
    Matcher m = RATE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new ConfigException("bad rate '" + text + "': expected e.g. 20MB, 512KB, 1GB");
    }
    double v = Double.parseDouble(m.group(1));
    String unit = m.group(2);
    long mult = unit.startsWith("k") ? 1024L : unit.startsWith("m") ? 1024L * 1024
        : unit.startsWith("g") ? 1024L * 1024 * 1024 : 1L;
    return (long) (v * mult);
  }

  /** The same peer on another port / data dir (tests and the CLI's --port). */
  public PeerSettings withPort(int newPort) {
    return new PeerSettings(peerId, host, newPort, sharedDir, downloadDir, replicatedDir, index,
        heartbeatIntervalMs, pieceSize, maxUploads, maxTasks, maxUploadRate, maxDownloadRate, tls,
        maxConnections, maxConnectionsPerAddress, headerDeadlineMs);
  }

  public PeerSettings withIndex(Endpoint newIndex) {
    return new PeerSettings(peerId, host, port, sharedDir, downloadDir, replicatedDir, newIndex,
        heartbeatIntervalMs, pieceSize, maxUploads, maxTasks, maxUploadRate, maxDownloadRate, tls,
        maxConnections, maxConnectionsPerAddress, headerDeadlineMs);
  }

  public PeerSettings withHeartbeat(long ms) {
    return new PeerSettings(peerId, host, port, sharedDir, downloadDir, replicatedDir, index,
        ms, pieceSize, maxUploads, maxTasks, maxUploadRate, maxDownloadRate, tls,
        maxConnections, maxConnectionsPerAddress, headerDeadlineMs);
  }

  /**
   * The same peer with TLS ({@code null} = plain): a peer that uses TLS serves it on its transfer
   * port (certificate and key required) and speaks it to the index and to other peers.
   */
  public PeerSettings withTls(io.p2pshare.transport.TlsSettings newTls) {
    if (newTls != null && !newTls.canServe()) {
      throw new ConfigException("a peer with TLS needs --tls-cert and --tls-key (it serves its files over TLS too)");
    }
    return new PeerSettings(peerId, host, port, sharedDir, downloadDir, replicatedDir, index,
        heartbeatIntervalMs, pieceSize, maxUploads, maxTasks, maxUploadRate, maxDownloadRate, newTls,
        maxConnections, maxConnectionsPerAddress, headerDeadlineMs);
  }
}
