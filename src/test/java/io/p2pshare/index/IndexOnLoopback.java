package io.p2pshare.index;

import akka.actor.typed.ActorSystem;
import io.p2pshare.config.AppConfig;
import io.p2pshare.config.ConfigLoader;
import io.p2pshare.metrics.Metrics;
import java.net.InetSocketAddress;

/** A real index on a free loopback port with the given config (JSON), for integration tests. */
record IndexOnLoopback(ActorSystem<IndexGuardian.Command> system, InetSocketAddress at, Metrics metrics) {
  static final String STATS = "{\"type\":\"STATS_REQUEST\",\"payload\":{}}";
  /** Index config keys: the plain control port on {@link ControlReactor}'s event loop (the default). */
  static final String EVENT_LOOPS = "\"control_loops\":1";
  /** Index config keys: the plain control port on Akka Streams TCP, as TLS ports are. */
  static final String STREAMS_TCP = "\"control_loops\":0";

  static IndexOnLoopback start(String configJson, String name) throws Exception {
    AppConfig cfg = ConfigLoader.parse(configJson, "test");
    Metrics metrics = new Metrics("index", name + "-test");
    ActorSystem<IndexGuardian.Command> system = ActorSystem.create(IndexGuardian.create(
        new IndexGuardian.Settings("127.0.0.1", 0, cfg, null, metrics)), "index-" + name);
    return new IndexOnLoopback(system, IndexServerIntegrationTest.bind(system), metrics);
  }
}
