package io.p2pshare.cli;

import io.p2pshare.config.Endpoint;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.StatsResponse;
import io.p2pshare.protocol.Wire;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stats [--index H:P] [--json]}: the index's counters. */
@Command(name = "stats", mixinStandardHelpOptions = true, description = "Show index statistics.")
public final class StatsCommand implements Callable<Integer> {
  @Option(names = "--json", description = "Print the STATS_RESPONSE payload as JSON.")
  boolean json;

  @picocli.CommandLine.Mixin IndexOptions indexOptions;

  @Override
  public Integer call() throws Exception {
    IndexOptions.Target index = indexOptions.target();
    Endpoint at = index.at();
    Envelope reply = index.request(MessageType.STATS_REQUEST, Map.of());
    if (json) {
      System.out.println(Wire.MAPPER.writeValueAsString(reply.payload()));
      return 0;
    }
    StatsResponse s = reply.payloadAs(StatsResponse.class);
    StatsResponse.TaskCounts t = s.tasks() == null ? StatsResponse.TaskCounts.ZERO : s.tasks();
    System.out.println("Index statistics (" + at + "):");
    System.out.println("  Peers: " + s.peersLive() + " live, " + s.peersDead() + " dead");
    System.out.println("  Files: " + s.files() + " (" + s.entries() + " holder entries), under-replicated: "
        + s.underReplicated());
    System.out.println("  Replication tasks: queued " + t.queued() + ", running " + t.running()
        + ", done " + t.done() + ", failed " + t.failed());
    System.out.printf("  Uptime: %.1f s%n", s.uptimeMs() / 1000.0);
    return 0;
  }
}
