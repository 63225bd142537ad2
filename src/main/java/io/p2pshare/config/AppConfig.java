package io.p2pshare.config;

import java.util.Map;

/**
 * {@code config/config.json}: the reference layout plus our optional keys. Every section and key
 * has a built-in default, so an empty object is a valid config.
 */
public record AppConfig(
    Server server, Peer peer, Replication replication, Index index, Logging logging, Data data,
    Tls tls) {

  public AppConfig {
    server = server == null ? new Server(null, null) : server;
    peer = peer == null ? new Peer(null, null, null, null, null, null, null, null, null) : peer;
    replication = replication == null ? new Replication(null, null, null, null, null) : replication;
    index = index == null ? new Index(null, null, null, null, null, null) : index;
    logging = logging == null ? new Logging(null, null, null, null) : logging;
    data = data == null ? new Data(null, null, null) : data;
    tls = tls == null ? new Tls(null, null, null) : tls;
  }

  /** The same config with other TLS settings (the resolved flags). */
  public AppConfig withTls(Tls newTls) {
    return new AppConfig(server, peer, replication, index, logging, data, newTls);
  }

  public static AppConfig defaults() {
    return new AppConfig(null, null, null, null, null, null, null);
  }

  /** {@code server}: where the index listens (and where clients find it). */
  public record Server(String host, Integer port) {
    public Server {
      host = host == null ? "127.0.0.1" : host;
      port = port == null ? 7000 : port;
    }
  }

  /** {@code peer}: transfer ports are {@code base_port + n − 1} for {@code peerN}. */
  public record Peer(
      Integer basePort, String host, Integer maxUploads, Integer pieceSizeBytes,
      Integer maxFrameBytes, Integer chunkSizeBytes,
      Integer maxConnections, Integer maxConnectionsPerAddress, Long headerDeadlineMs,
      java.util.List<String> index) {
    /** {@code index}: the index nodes a peer may use, in failover order (cluster mode); empty = {@code server}. */
    public Peer(Integer basePort, String host, Integer maxUploads, Integer pieceSizeBytes,
        Integer maxFrameBytes, Integer chunkSizeBytes, Integer maxConnections,
        Integer maxConnectionsPerAddress, Long headerDeadlineMs) {
      this(basePort, host, maxUploads, pieceSizeBytes, maxFrameBytes, chunkSizeBytes, maxConnections,
          maxConnectionsPerAddress, headerDeadlineMs, null);
    }

    public Peer {
      index = index == null ? java.util.List.of() : java.util.List.copyOf(index);
      basePort = basePort == null ? 7100 : basePort;
      host = host == null ? "127.0.0.1" : host;
      maxUploads = maxUploads == null ? 32 : maxUploads;
      pieceSizeBytes = pieceSizeBytes == null ? 4 * 1024 * 1024 : pieceSizeBytes;
      maxFrameBytes = maxFrameBytes == null ? 64 * 1024 : maxFrameBytes;
      chunkSizeBytes = chunkSizeBytes == null ? 128 * 1024 : chunkSizeBytes;
      maxConnections = maxConnections == null ? 4096 : maxConnections;
      maxConnectionsPerAddress = maxConnectionsPerAddress == null ? 256 : maxConnectionsPerAddress;
      headerDeadlineMs = headerDeadlineMs == null ? 10_000L : headerDeadlineMs;
    }
  }

  /** {@code replication}: RF and the liveness clock. */
  public record Replication(
      Integer replicationFactor, Long heartbeatIntervalMs, Long peerExpiryMs,
      Long rereplicationGraceMs, Integer maxTasksPerPeer) {
    public Replication {
      replicationFactor = replicationFactor == null ? 2 : replicationFactor;
      heartbeatIntervalMs = heartbeatIntervalMs == null ? 5000L : heartbeatIntervalMs;
      peerExpiryMs = peerExpiryMs == null ? 15000L : peerExpiryMs;
      rereplicationGraceMs = rereplicationGraceMs == null ? 30000L : rereplicationGraceMs;
      maxTasksPerPeer = maxTasksPerPeer == null ? 4 : maxTasksPerPeer;
    }
  }

  /**
   * {@code index}: shard count and connection limits. One address may hold at most
   * {@code max_connections_per_address} of the {@code max_connections} slots; a request line must
   * be complete within {@code header_deadline_ms} of its first byte (slow-loris).
   * {@code cluster} for {@code index --cluster}.
   */
  public record Index(Integer shards, Integer maxFrameBytes, Integer maxConnections,
      Integer maxConnectionsPerAddress, Long headerDeadlineMs, Integer maxFilesPerRegistration,
      Cluster cluster, Integer controlLoops) {
    public Index {
      // Event-loop threads serving the plain control port (0: Akka Streams TCP instead).
      controlLoops = controlLoops == null ? 1 : controlLoops;
      if (controlLoops < 0) {
        throw new IllegalArgumentException("index.control_loops must be 0 or more");
      }
      shards = shards == null ? 16 : shards;
      maxFrameBytes = maxFrameBytes == null ? 16 * 1024 * 1024 : maxFrameBytes;
      maxConnections = maxConnections == null ? 10_000 : maxConnections;
      maxConnectionsPerAddress = maxConnectionsPerAddress == null ? 2048 : maxConnectionsPerAddress;
      headerDeadlineMs = headerDeadlineMs == null ? 10_000L : headerDeadlineMs;
      maxFilesPerRegistration = maxFilesPerRegistration == null ? 100_000 : maxFilesPerRegistration;
      cluster = cluster == null ? new Cluster(null, null, null, null, null) : cluster;
    }

    public Index(Integer shards, Integer maxFrameBytes, Integer maxConnections,
        Integer maxConnectionsPerAddress, Long headerDeadlineMs, Integer maxFilesPerRegistration) {
      this(shards, maxFrameBytes, maxConnections, maxConnectionsPerAddress, headerDeadlineMs,
          maxFilesPerRegistration, null, null);
    }
  }

  /**
   * {@code index.cluster}: several index processes as one Akka cluster (off by default).
   * {@code host} is the address other nodes reach this one at (default: the control host);
   * {@code seed_nodes} are {@code host:port} of Akka remoting ports; {@code stable_after} is the
   * split brain resolver's wait.
   */
  public record Cluster(Boolean enabled, String host, Integer nodePort, java.util.List<String> seedNodes,
      String stableAfter, Integer minMembers) {
    /** {@code min_members}: nodes that must be up before shards are placed (Akka min-nr-of-members). */
    public Cluster(Boolean enabled, String host, Integer nodePort, java.util.List<String> seedNodes,
        String stableAfter) {
      this(enabled, host, nodePort, seedNodes, stableAfter, null);
    }

    public Cluster {
      minMembers = minMembers == null ? 1 : minMembers;
      enabled = enabled != null && enabled;
      nodePort = nodePort == null ? 2552 : nodePort;
      seedNodes = seedNodes == null ? java.util.List.of() : java.util.List.copyOf(seedNodes);
      stableAfter = stableAfter == null ? "20s" : stableAfter;
    }
  }

  /**
   * {@code tls}: PEM certificate chain and PKCS#8 key (servers), PEM trust anchors (clients).
   * All null = plain TCP (the default).
   */
  public record Tls(String cert, String key, String trust) {}

  /** {@code logging}: as the reference, rotating 1 MiB × 5 under {@code logs/}. */
  public record Logging(String level, String dir, Long maxBytes, Integer backupCount) {
    public Logging {
      level = level == null ? "INFO" : level;
      dir = dir == null ? "logs" : dir;
      maxBytes = maxBytes == null ? 1024L * 1024 : maxBytes;
      backupCount = backupCount == null ? 5 : backupCount;
    }
  }

  /** {@code data}: per-peer directories and the dataset generator. */
  public record Data(String baseDir, Map<String, PeerDirs> peers, FileGeneration fileGeneration) {
    public Data {
      baseDir = baseDir == null ? "data" : baseDir;
      peers = peers == null ? Map.of() : Map.copyOf(peers);
      fileGeneration = fileGeneration == null
          ? new FileGeneration(null, null, null, null, null, null) : fileGeneration;
    }
  }

  /** {@code data.peers.<id>}. */
  public record PeerDirs(String sharedDir, String downloadDir, String replicatedDir) {}

  /** {@code data.file_generation}: counts and sizes per class. */
  public record FileGeneration(
      SizeClass kb, SizeClass mb, SizeClass gb, Integer chunkSizeBytes, String pattern, Long seed) {
    public FileGeneration {
      kb = kb == null ? new SizeClass(1000, 1024L) : kb;
      mb = mb == null ? new SizeClass(100, 1024L * 1024) : mb;
      gb = gb == null ? new SizeClass(1, 1024L * 1024 * 1024) : gb;
      chunkSizeBytes = chunkSizeBytes == null ? 1024 * 1024 : chunkSizeBytes;
      pattern = pattern == null ? "random" : pattern;
      seed = seed == null ? 42L : seed;
    }
  }

  /** One size class: how many files and how big each is. */
  public record SizeClass(Integer count, Long sizeBytes) {
    public SizeClass {
      count = count == null ? 0 : count;
      sizeBytes = sizeBytes == null ? 0L : sizeBytes;
    }
  }
}
