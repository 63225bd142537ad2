package io.p2pshare.cli;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.ConfigFactory;
import io.p2pshare.config.AppConfig;
import io.p2pshare.config.ConfigLoader;
import io.p2pshare.config.PeerSettings;
import io.p2pshare.peer.PeerGuardian;
import io.p2pshare.peer.TransferPort;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code peer --peer ID}: serve this peer's files, stay registered, run replication tasks. */
@Command(name = "peer", mixinStandardHelpOptions = true,
    description = "Run a peer: serve its files, register them with the index, replicate, download.")
public final class PeerCommand implements Callable<Integer> {
  @Option(names = "--peer", required = true, description = "Peer id, e.g. peer1 (port base_port + 1 - 1).")
  String peerId;

  @Option(names = "--config", description = "Config file (default config/config.json).")
  Path config;

  @Option(names = "--headless", description = "No interactive prompt (serve until stopped).")
  boolean headless;

  @Option(names = "--quiet", description = "Interactive prompt without download progress bars.")
  boolean quiet;

  @Option(names = "--port", description = "Transfer port (default: base_port + N - 1 for peerN; 0 = any).")
  Integer port;

  @Option(names = "--index", description = "Index host:port (default from P2P_INDEX or config).")
  String index;

  @Option(names = "--data-dir", description = "Data directory: <dir>/<peer>/{shared,downloaded,replicated}.")
  Path dataDir;

  @Option(names = "--max-upload-rate", description = "Upload limit, e.g. 20MB (per second).")
  String maxUploadRate;

  @Option(names = "--max-download-rate", description = "Download limit, e.g. 100MB (per second).")
  String maxDownloadRate;

  @Option(names = "--rescan-ms", defaultValue = "2000", hidden = true,
      description = "How often the catalog looks for added or removed files.")
  long rescanMs;

  @Mixin MetricsOptions metricsOptions;

  @Mixin TlsOptions tlsOptions;

  /** The transfer server the guardian starts; replaced in tests. */
  static TransferPort transferPort = PeerCommand::defaultTransferPort;

  @Override
  public Integer call() throws Exception {
    ConfigLoader loader = ConfigLoader.fromSystem();
    AppConfig cfg = loader.load(config);
    LogSetup.applyLevel(cfg.logging().level());
    PeerSettings settings = PeerSettings.resolve(cfg, loader, new PeerSettings.Flags(
        peerId, port, index, dataDir, maxUploadRate, maxDownloadRate))
        .withTls(tlsOptions.resolve(loader, cfg)).createDirs();
    PeerShell shell = headless ? null : PeerShell.prepare();
    CompletableFuture<InetSocketAddress> started = new CompletableFuture<>();
    ActorSystem<PeerGuardian.Command> system = ActorSystem.create(
        PeerGuardian.create(settings, transferPort, Duration.ofMillis(rescanMs), started),
        "p2pshare", ConfigFactory.load());
    // --metrics-port: the peer's registry; transfers record into it through NodeMetrics.
    io.p2pshare.metrics.Metrics metrics = new io.p2pshare.metrics.Metrics("peer", settings.peerId());
    io.p2pshare.metrics.NodeMetrics.get(system).install(metrics);
    InetSocketAddress bound;
    try {
      bound = started.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
      throw new IllegalStateException("cannot serve on port " + settings.port() + ": "
          + rootMessage(e.getCause()));
    } catch (TimeoutException e) {
      system.terminate();
      throw new IllegalStateException("peer did not start within 60 s");
    }
    // One line on stdout: scripts wait for it (and read the port when --port 0).
    System.out.printf("%s serving on %s:%d (index %s)%n", settings.peerId(), settings.host(),
        bound.getPort(), settings.index());
    System.out.flush();
    try (var exporter = MetricsOptions.logged(metricsOptions.start(metrics), settings.peerId())) {
      if (!headless) {
        return shell.run(system, settings, quiet); // returns once the peer has stopped
      }
      system.getWhenTerminated().toCompletableFuture().get();
    }
    return 0;
  }

  private static java.util.concurrent.CompletionStage<InetSocketAddress> defaultTransferPort(
      akka.actor.typed.javadsl.ActorContext<?> ctx, PeerSettings s, io.p2pshare.transfer.ServedFiles files) {
    return io.p2pshare.transfer.TransferServer.start(ctx, s, files);
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }
}
