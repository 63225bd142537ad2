package io.p2pshare.cli;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import io.p2pshare.config.AppConfig;
import io.p2pshare.config.ConfigLoader;
import io.p2pshare.index.ControlServer;
import io.p2pshare.index.IndexGuardian;
import io.p2pshare.index.IndexPreload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code index [--config F] [--host H] [--port P] [--cluster --node-port N --seed-nodes H:P,...]}:
 * runs the index server (alone, or as one node of an index cluster) until Ctrl-C.
 */
@Command(name = "index", mixinStandardHelpOptions = true,
    description = "Run the index server (peer registry, sharded file index, search).")
public final class IndexCommand implements Callable<Integer> {
  @Option(names = "--config", description = "Config file (default config/config.json, or $P2P_CONFIG).")
  Path config;

  @Option(names = "--host", description = "Address to listen on (default server.host).")
  String host;

  @Option(names = "--port", description = "Port to listen on; 0 = any free port (default server.port).")
  Integer port;

  /** Benchmark only: registers PREFIX+number names over the real protocol once bound. */
  @Option(names = "--bench-preload", hidden = true,
      description = "PREFIX,NAMES[,PEERS[,WIDTH]]: register NAMES names held by PEERS peers (bench/README.md).")
  String preload;

  @Option(names = "--cluster", description = "Run as one node of an index cluster (default index.cluster.enabled).")
  Boolean cluster;

  @Option(names = "--node-port", description = "Cluster: Akka remoting port; 0 = any (default index.cluster.node_port, 2552).")
  Integer nodePort;

  @Option(names = "--node-host", description = "Cluster: address other nodes reach this one at (default index.cluster.host, else --host).")
  String nodeHost;

  @Option(names = "--seed-nodes", split = ",", description = "Cluster: host:port[,host:port...] of seed nodes' remoting ports "
      + "(default index.cluster.seed_nodes; none = start a new cluster).")
  java.util.List<String> seedNodes;

  @Mixin MetricsOptions metricsOptions;

  @Mixin TlsOptions tlsOptions;

  @Override
  public Integer call() throws Exception {
    ConfigLoader loader = ConfigLoader.fromSystem();
    AppConfig cfg = loader.load(config);
    LogSetup.applyLevel(cfg.logging().level());
    tlsOptions.resolve(loader, cfg); // checks the files: one clear line if one is bad
    cfg = cfg.withTls(loader.tls(tlsOptions.cert, tlsOptions.key, tlsOptions.trust, cfg));
    io.p2pshare.metrics.Metrics metrics = new io.p2pshare.metrics.Metrics("index", "index");
    String h = host != null ? host : cfg.server().host();
    int p = port != null ? port : cfg.server().port();
    IndexGuardian.Settings settings = new IndexGuardian.Settings(h, p, cfg, null, metrics);
    AppConfig.Cluster cc = cfg.index().cluster();
    boolean clustered = cluster != null ? cluster : cc.enabled();
    ActorSystem<IndexGuardian.Command> system;
    if (clustered) {
      String advertised = nodeHost != null ? nodeHost : cc.host() != null ? cc.host()
          : "0.0.0.0".equals(h) ? java.net.InetAddress.getLocalHost().getHostName() : h;
      io.p2pshare.index.ClusterSettings clusterSettings = new io.p2pshare.index.ClusterSettings(advertised,
          nodePort != null ? nodePort : cc.nodePort(), seedNodes != null ? seedNodes : cc.seedNodes(),
          cc.stableAfter(), cc.minMembers());
      system = ActorSystem.create(io.p2pshare.index.ClusterIndexGuardian.create(settings),
          io.p2pshare.index.ClusterSettings.SYSTEM_NAME, clusterSettings.akkaConfig());
    } else {
      system = ActorSystem.create(IndexGuardian.create(settings), "p2pshare-index");
    }
    ControlServer.Binding binding = AskPattern.<IndexGuardian.Command, ControlServer.Binding>ask(
            system, IndexGuardian.GetBinding::new, Duration.ofSeconds(30), system.scheduler())
        .toCompletableFuture().get();
    if (binding instanceof ControlServer.BindFailed failed) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
      throw new IllegalStateException(failed.reason());
    }
    if (preload != null) {
      IndexPreload.start(((ControlServer.Bound) binding).address(), preload,
          cfg.replication().heartbeatIntervalMs());
    }
    try (IndexMetrics exported = IndexMetrics.start(metricsOptions, metrics,
        ((ControlServer.Bound) binding).address(), cfg.replication().heartbeatIntervalMs())) {
      // Ctrl-C runs CoordinatedShutdown (JVM shutdown hook): unbind, then terminate.
      system.getWhenTerminated().toCompletableFuture().join();
    }
    return 0;
  }
}
