package io.p2pshare.index;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.p2pshare.config.AppConfig;
import io.p2pshare.metrics.Metrics;
import io.p2pshare.transport.TlsSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The index process's root: wires the registry, the shards, the search router and the port. */
public final class IndexGuardian extends AbstractBehavior<IndexGuardian.Command> {

  public sealed interface Command permits GetBinding {}

  /** The control port's bound address (for the CLI and tests using port 0). */
  public record GetBinding(ActorRef<ControlServer.Binding> replyTo) implements Command {}

  /**
   * Where to listen, plus the config; {@code prober} null = real TCP probes; {@code metrics}
   * receives search results and request latencies (null = a private, unexported registry).
   */
  public record Settings(String host, int port, AppConfig config, Prober prober, Metrics metrics) {
    public Settings {
      metrics = metrics == null ? new Metrics("index", "index") : metrics;
    }

    public Settings(String host, int port, AppConfig config, Prober prober) {
      this(host, port, config, prober, null);
    }
  }

  /** Overall cap on copies in flight, whatever the number of peers. */
  static final int MAX_RUNNING_TASKS = 256;

  private final ActorRef<ControlServer.Command> server;

  public static Behavior<Command> create(Settings settings) {
    return Behaviors.setup(ctx -> new IndexGuardian(ctx, settings));
  }

  private IndexGuardian(ActorContext<Command> context, Settings settings) {
    super(context);
    AppConfig cfg = settings.config();
    AppConfig.Replication rep = cfg.replication();
    ShardRouting routing = new ShardRouting(cfg.index().shards());
    IndexView view = new IndexView(routing);

    List<ActorRef<FileIndexShard.Command>> shards = new ArrayList<>();
    for (int k = 0; k < routing.shards(); k++) {
      shards.add(context.spawn(supervised(FileIndexShard.create(k, view)), ShardRouting.entityId(k)));
    }
    Prober prober = settings.prober() != null ? settings.prober()
        : Prober.tcp(context.getSystem().dispatchers().lookup(DispatcherSelector.blocking()),
            Duration.ofMillis(Math.max(500, Math.min(rep.heartbeatIntervalMs(), 3000))));
    ActorRef<PeerRegistry.Command> registry = context.spawn(resumed(PeerRegistry.create(
        new PeerRegistry.Settings(rep.heartbeatIntervalMs(), rep.peerExpiryMs(),
            rep.rereplicationGraceMs(), cfg.peer().basePort(), cfg.index().maxFilesPerRegistration()),
        routing, shards, prober)), "registry");
    ActorRef<SearchRouter.Command> router = context.spawn(
        supervised(SearchRouter.create(view, shards, Duration.ofSeconds(10))), "search-router");

    ReplicationLedger ledger = new ReplicationLedger();
    context.spawn(supervised(ReplicationCoordinator.create(new ReplicationCoordinator.Settings(
        rep.replicationFactor(), rep.maxTasksPerPeer(), MAX_RUNNING_TASKS,
        Duration.ofMillis(rep.heartbeatIntervalMs()), Duration.ofMillis(200)), view, ledger, registry)),
        "replication-coordinator");

    ConnectionHandler.Services services = new ConnectionHandler.Services(view, registry, router, ledger,
        context.getSystem().scheduler(), Duration.ofSeconds(20), rep.replicationFactor(),
        System.currentTimeMillis(), settings.metrics());
    // Idle connections die after three missed heartbeats (at least 30 s).
    Duration idle = Duration.ofMillis(Math.max(30_000, 3 * rep.heartbeatIntervalMs()));
    server = context.spawn(ControlServer.create(new ControlServer.Settings(settings.host(), settings.port(),
        cfg.index().maxFrameBytes(), cfg.index().maxConnections(), idle,
        cfg.index().maxConnectionsPerAddress(), Duration.ofMillis(cfg.index().headerDeadlineMs()),
        TlsSettings.forServer(TlsSettings.from(cfg.tls())), cfg.index().controlLoops()), services), "control-server");
  }

  private static <T> Behavior<T> supervised(Behavior<T> b) {
    return Behaviors.supervise(b).onFailure(SupervisorStrategy.restart());
  }

  /** The registry keeps its sessions through a failed message (a restart would orphan every token). */
  private static <T> Behavior<T> resumed(Behavior<T> b) {
    return Behaviors.supervise(b).onFailure(SupervisorStrategy.resume());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(GetBinding.class, g -> {
          server.tell(new ControlServer.GetBinding(g.replyTo()));
          return this;
        })
        .build();
  }
}
