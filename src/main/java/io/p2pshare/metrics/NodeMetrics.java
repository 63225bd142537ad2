package io.p2pshare.metrics;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;

/**
 * The process's {@link Metrics}, reachable from any actor or stream of its ActorSystem without
 * threading it through every constructor. The command that starts the system installs the
 * registry it exports; until then (and in tests) a private registry nobody scrapes is used.
 */
public final class NodeMetrics implements Extension {
  private static final Id ID = new Id();
  private volatile Metrics metrics;

  private NodeMetrics(ActorSystem<?> system) {
    this.metrics = new Metrics("unset", system.name());
  }

  public static NodeMetrics get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  public static Metrics of(ActorSystem<?> system) {
    return get(system).metrics;
  }

  /** Installs the exported registry; call before traffic starts. */
  public void install(Metrics exported) {
    this.metrics = exported;
  }

  private static final class Id extends ExtensionId<NodeMetrics> {
    @Override
    public NodeMetrics createExtension(ActorSystem<?> system) {
      return new NodeMetrics(system);
    }
  }
}
