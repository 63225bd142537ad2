package io.p2pshare.index;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cluster mode's Akka settings, built in code and applied as overrides (killrweather style) only
 * when {@code index --cluster} runs: single-process mode never sees any of this.
 *
 * @param host canonical (advertised) remoting host
 * @param nodePort Akka remoting port (0 = any free port)
 * @param seedNodes {@code host:port} of the seed nodes; empty = this node starts a new cluster
 * @param stableAfter how long the membership must be stable before the split brain resolver acts
 * @param minMembers nodes that must have joined before any becomes Up (and shards are placed):
 *     avoids placing every shard on the first node and moving them right after
 */
public record ClusterSettings(String host, int nodePort, List<String> seedNodes, String stableAfter,
    int minMembers) {

  /** All index nodes of one cluster use this ActorSystem name (part of every cluster address). */
  public static final String SYSTEM_NAME = "p2pshare-index";

  public ClusterSettings {
    seedNodes = seedNodes == null ? List.of() : List.copyOf(seedNodes);
    stableAfter = stableAfter == null ? "20s" : stableAfter;
    minMembers = Math.max(1, minMembers);
  }

  public ClusterSettings(String host, int nodePort, List<String> seedNodes, String stableAfter) {
    this(host, nodePort, seedNodes, stableAfter, 1);
  }

  /** {@code host:port} → {@code akka://p2pshare-index@host:port}. */
  public static String seedAddress(String hostPort) {
    String s = hostPort.trim();
    return s.startsWith("akka://") ? s : "akka://" + SYSTEM_NAME + "@" + s;
  }

  public Map<String, Object> overrides() {
    Map<String, Object> m = new HashMap<>();
    m.put("akka.actor.provider", "cluster");
    m.put("akka.remote.artery.canonical.hostname", host);
    m.put("akka.remote.artery.canonical.port", nodePort);
    List<String> seeds = new ArrayList<>();
    for (String s : seedNodes) {
      seeds.add(seedAddress(s));
    }
    m.put("akka.cluster.seed-nodes", seeds);
    m.put("akka.cluster.min-nr-of-members", minMembers);
    // Split brain: the side with the majority of nodes survives, the minority downs itself.
    m.put("akka.cluster.downing-provider-class", "akka.cluster.sbr.SplitBrainResolverProvider");
    m.put("akka.cluster.split-brain-resolver.active-strategy", "keep-majority");
    m.put("akka.cluster.split-brain-resolver.stable-after", stableAfter);
    // A downed node (minority side) stops its ActorSystem: its peers fail over to the majority.
    m.put("akka.cluster.shutdown-after-unsuccessful-join-seed-nodes", "60s");
    // Cluster messages are CBOR via Jackson; nothing else may go through Java serialization.
    m.put("akka.actor.serialization-bindings.\"" + ClusterSerializable.class.getName() + "\"", "jackson-cbor");
    m.put("akka.actor.allow-java-serialization", "off");
    // A registration slice or an under-replication report can be large.
    m.put("akka.remote.artery.advanced.maximum-frame-size", "4MiB");
    m.put("akka.remote.artery.advanced.buffer-pool-size", 128);
    // Shard entities hold the index in memory: never passivate them for being idle.
    m.put("akka.cluster.sharding.passivation.strategy", "none");
    // Several nodes in one JVM (tests): one JMX bean each instead of a warning.
    m.put("akka.cluster.jmx.multi-mbeans-in-same-jvm", "on");
    return m;
  }

  /** The overrides over the application's own config ({@code application.conf} + reference). */
  public Config akkaConfig() {
    return ConfigFactory.parseMap(overrides()).withFallback(ConfigFactory.load());
  }
}
