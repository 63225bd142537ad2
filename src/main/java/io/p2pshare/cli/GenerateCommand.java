package io.p2pshare.cli;

import io.p2pshare.config.AppConfig;
import io.p2pshare.config.ConfigLoader;
import io.p2pshare.config.PeerSettings;
import io.p2pshare.peer.DatasetGenerator;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code generate --peer ID [--sizes kb,mb,gb]}: the reference dataset in the peer's shared/. */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Make the dataset {peer}_{kb,mb,gb}_{num:04}.{txt,bin} in the peer's shared/ directory.")
public final class GenerateCommand implements Callable<Integer> {
  @Option(names = "--peer", required = true, description = "Peer id, e.g. peer1.")
  String peerId;

  @Option(names = "--sizes", defaultValue = "kb,mb,gb", description = "Size classes (default ${DEFAULT-VALUE}).")
  String sizes;

  @Option(names = "--config", description = "Config file (default config/config.json).")
  Path config;

  @Option(names = "--data-dir", description = "Data directory (default from config, else data/).")
  Path dataDir;

  @Override
  public Integer call() throws Exception {
    ConfigLoader loader = ConfigLoader.fromSystem();
    AppConfig cfg = loader.load(config);
    // Generation never binds a port: any id is fine here.
    PeerSettings s = PeerSettings.resolve(cfg, loader,
        new PeerSettings.Flags(peerId, 0, null, dataDir, null, null)).createDirs();
    List<String> classes = Arrays.stream(sizes.split(",")).map(String::trim)
        .filter(x -> !x.isEmpty()).toList();
    List<DatasetGenerator.Spec> specs;
    try {
      specs = DatasetGenerator.plan(peerId, classes, cfg.data().fileGeneration());
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    long t0 = System.nanoTime();
    DatasetGenerator.Result r = DatasetGenerator.generate(s.sharedDir(), specs,
        cfg.data().fileGeneration().seed(), cfg.data().fileGeneration().chunkSizeBytes(),
        line -> System.err.println(line));
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf("%s: %d files written (%d MiB), %d already present, in %s (%.1fs)%n",
        peerId, r.written(), r.bytesWritten() >> 20, r.skipped(), s.sharedDir(), secs);
    return 0;
  }
}
