package io.p2pshare.cli;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.p2pshare.config.AppConfig;
import io.p2pshare.config.ConfigLoader;
import io.p2pshare.config.Endpoint;
import io.p2pshare.config.PeerSettings;
import io.p2pshare.peer.Download;
import io.p2pshare.peer.GetClient;
import io.p2pshare.protocol.Wire;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code get NAME... [--match TEXT]}: one-shot verified downloads (the peer's download code,
 * persistent connections), no serving. Exit 1 if any file was not found or failed to verify.
 */
@Command(name = "get", mixinStandardHelpOptions = true,
    description = "Download files by name (verified), without running a peer.")
public final class GetCommand implements Callable<Integer> {
  @Parameters(arity = "0..*", paramLabel = "NAME", description = "File names to download.")
  List<String> names = new ArrayList<>();

  @Option(names = "--index", description = "Index host:port (default from P2P_INDEX or config).")
  String index;

  @Option(names = "--out", defaultValue = ".", description = "Output directory (default: current).")
  Path out;

  @Option(names = "--json", description = "Print one JSON document on stdout.")
  boolean json;

  @Option(names = "--match", description = "Also fetch every file whose name contains TEXT.")
  String match;

  @Option(names = "--config", description = "Config file (default config/config.json).")
  Path config;

  @picocli.CommandLine.Mixin TlsTrustOption tlsTrust;

  @Option(names = "--max-download-rate", description = "Download limit, e.g. 100MB (per second).")
  String maxDownloadRate;

  @Option(names = "--concurrency", defaultValue = "8", description = "Files in flight at once (default 8).")
  int concurrency;

  @Override
  public Integer call() throws Exception {
    if (names.isEmpty() && match == null) {
      throw new UsageException("give at least one NAME or --match TEXT");
    }
    ConfigLoader loader = ConfigLoader.fromSystem();
    AppConfig cfg = loader.load(config);
    LogSetup.applyLevel("WARN"); // a one-shot command: only problems on stderr
    Endpoint idx = loader.indexEndpoint(index, cfg);
    long rate = PeerSettings.parseRate(maxDownloadRate);
    java.util.Optional<io.p2pshare.transport.TlsSettings> tls = tlsTrust.resolve(loader, cfg);
    // The second core is idle while the actor system starts: warm the download path there.
    io.p2pshare.peer.HotPathWarmup warmup = io.p2pshare.peer.HotPathWarmup.start();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "p2pshare-get", ConfigFactory.load());
    // Before GetClient opens anything: the index and every source are reached over TLS.
    io.p2pshare.transport.NodeTls.get(system).install(tls.orElse(null));
    try (GetClient client = new GetClient(system, idx, rate, cfg.peer().pieceSizeBytes(),
        Math.max(1, concurrency))) {
      if (!names.isEmpty()) {
        client.startDownloadActors(); // named files are looked up by the Download actors
      }
      warmup.stop();
      long t0 = System.nanoTime();
      List<Download.Request> requests = new ArrayList<>();
      // Every name looked up at once (pipelined): small files with known holders then go
      // through the pipelined batches, larger ones to the Download actors with their holders.
      // Names not found (or an index that cannot be asked) are left to the actors, which
      // search again and report each failure their own way.
      java.util.Map<String, List<io.p2pshare.protocol.SearchResult>> named = java.util.Map.of();
      if (!names.isEmpty()) {
        try {
          named = client.lookup(names);
        } catch (java.io.IOException e) {
          named = java.util.Map.of();
        }
      }
      for (String n : names) {
        List<io.p2pshare.protocol.SearchResult> holders = named.get(n);
        requests.add(holders == null || holders.isEmpty() ? Download.Request.obtain(n, out)
            : GetClient.request(new GetClient.Match(n, holders), out));
      }
      if (match != null) {
        List<GetClient.Match> found;
        try {
          found = client.match(match).toCompletableFuture().get(120, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IllegalStateException(rootMessage(e));
        }
        if (found.isEmpty()) {
          System.err.println("error: no file name contains '" + match + "'");
          if (requests.isEmpty()) {
            return 1;
          }
        }
        for (GetClient.Match m : found) {
          if (!names.contains(m.fileName())) {
            requests.add(GetClient.request(m, out));
          }
        }
      }
      double searchSecs = (System.nanoTime() - t0) / 1e9;
      boolean showProgress = !json;
      List<Download.Event> results = client.download(requests, p -> {
        if (showProgress && p.total() >= 64L * 1024 * 1024) {
          System.err.printf("\r%s: %d/%d MiB (%d%%)", p.fileName(), p.bytes() >> 20, p.total() >> 20,
              p.bytes() * 100 / Math.max(1, p.total()));
        }
      }).toCompletableFuture().get();
      double secs = (System.nanoTime() - t0) / 1e9;
      return report(results, secs, searchSecs);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
  }

  private int report(List<Download.Event> results, double secs, double searchSecs) throws Exception {
    int failed = 0;
    long bytes = 0;
    int ok = 0;
    ObjectNode doc = Wire.MAPPER.createObjectNode();
    ArrayNode files = doc.putArray("files");
    for (Download.Event e : results) {
      if (e instanceof Download.Finished f) {
        ok++;
        bytes += f.size() - f.resumedBytes();
        ObjectNode o = files.addObject();
        o.put("file_name", f.fileName());
        o.put("size_bytes", f.size());
        o.put("sha256", f.sha256());
        o.put("path", f.path().toAbsolutePath().toString());
        ArrayNode s = o.putArray("sources");
        f.sources().forEach(s::add);
        o.put("seconds", round(f.seconds()));
        o.put("resumed_bytes", f.resumedBytes());
        if (!json) {
          System.out.printf("Downloaded '%s' from %s -> %s (%d bytes in %.2fs, sha256 %s verified%s)%n",
              f.fileName(), f.sources().isEmpty() ? "(already present)" : String.join(", ", f.sources()),
              f.path(), f.size(), f.seconds(), f.sha256(),
              f.resumedBytes() > 0 ? ", resumed " + f.resumedBytes() + " bytes" : "");
        }
      } else if (e instanceof Download.Failed f) {
        failed++;
        System.err.println("error: " + f.fileName() + ": " + f.error()
            + (f.code() == null ? "" : " (" + f.code() + ")"));
      }
    }
    doc.put("bytes", bytes);
    doc.put("seconds", round(secs));
    doc.put("search_seconds", round(searchSecs)); // finding the files (--match), part of seconds
    doc.put("bytes_per_second", round(secs > 0 ? bytes / secs : 0));
    doc.put("files_per_second", round(secs > 0 ? ok / secs : 0));
    if (json) {
      System.out.println(Wire.MAPPER.writeValueAsString(doc));
    } else if (ok > 1) {
      System.out.printf("%d files, %d bytes in %.2fs (%.0f files/s, %.1f MiB/s)%n", ok, bytes, secs,
          ok / secs, bytes / secs / (1 << 20));
    }
    System.out.flush();
    return failed == 0 ? 0 : 1;
  }

  private static double round(double v) {
    return Math.round(v * 1e6) / 1e6;
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }
}
