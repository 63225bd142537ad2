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

/** {@code index [--config F] [--host H] [--port P]}: runs the index server until Ctrl-C. */
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
    ActorSystem<IndexGuardian.Command> system = ActorSystem.create(
        IndexGuardian.create(new IndexGuardian.Settings(h, p, cfg, null, metrics)), "p2pshare-index");
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
