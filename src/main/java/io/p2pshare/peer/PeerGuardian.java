package io.p2pshare.peer;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.StashBuffer;
import io.p2pshare.config.PeerSettings;
import io.p2pshare.protocol.PeerAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Wires one peer: Catalog (publishes the served-files view), the transfer server on its port,
 * then — once the port is bound, so the index learns the real address — IndexClient, Downloads
 * and ReplicationWorker. It holds no application state of its own; other front ends (the
 * interactive CLI) use {@link GetNode} and talk to the children directly, or the convenience
 * messages below. Unregisters from the index during coordinated shutdown.
 */
public final class PeerGuardian extends AbstractBehavior<PeerGuardian.Command> {

  public sealed interface Command permits GetNode, StartDownload, GetStatus, Bound, StatusParts {}

  /** The running peer's actors (replied once the transfer port is bound). */
  public record GetNode(ActorRef<Node> replyTo) implements Command {}

  public record Node(
      PeerSettings settings, InetSocketAddress transferAddress,
      ActorRef<Catalog.Command> catalog, ActorRef<IndexClient.Command> index,
      ActorRef<Downloads.Command> downloads, ActorRef<ReplicationWorker.Command> replication) {}

  /** Download {@code fileName} into downloaded/; events (progress, then finished/failed) to replyTo. */
  public record StartDownload(String fileName, ActorRef<Download.Event> replyTo) implements Command {}

  /** Index connection, running downloads and replication tasks in one reply. */
  public record GetStatus(ActorRef<PeerStatus> replyTo) implements Command {}

  public record PeerStatus(
      String peerId, InetSocketAddress transferAddress, IndexClient.StatusReply index,
      Downloads.Active downloads, ReplicationWorker.Status replication) {}

  private record Bound(InetSocketAddress address, Throwable failure) implements Command {}

  private record StatusParts(ActorRef<PeerStatus> replyTo, PeerStatus status, Throwable failure)
      implements Command {}

  private final PeerSettings settings;
  private final StashBuffer<Command> stash;
  private final CompletableFuture<InetSocketAddress> started;
  private final SourcePool pool;
  private final ActorRef<Catalog.Command> catalog;
  private Node node;

  /**
   * @param started completed with the bound transfer address, or failed if the port cannot be
   *     bound (the command prints it and exits 1)
   */
  public static Behavior<Command> create(PeerSettings settings, TransferPort transferPort,
      Duration rescanEvery, CompletableFuture<InetSocketAddress> started) {
    return Behaviors.setup(ctx -> Behaviors.withStash(10_000, stash ->
        new PeerGuardian(ctx, stash, settings, transferPort, rescanEvery, started)));
  }

  private PeerGuardian(ActorContext<Command> ctx, StashBuffer<Command> stash, PeerSettings settings,
      TransferPort transferPort, Duration rescanEvery, CompletableFuture<InetSocketAddress> started) {
    super(ctx);
    this.settings = settings;
    this.stash = stash;
    this.started = started;
    // Before any child connects: every client connection of this peer (index, downloads) uses it.
    io.p2pshare.transport.NodeTls.get(ctx.getSystem()).install(settings.tls());
    this.pool = new SourcePool(settings.peerId(), 8, 30_000, io.p2pshare.transport.NodeTls.sockets(ctx.getSystem()));
    CatalogView view = new CatalogView();
    Path cacheFile = cacheFile(settings);
    CatalogScanner scanner = new CatalogScanner(settings.sharedDir(), settings.replicatedDir(),
        settings.downloadDir(), cacheFile, settings.pieceSize());
    this.catalog = ctx.spawn(Behaviors.supervise(Catalog.create(settings.peerId(), scanner, view, rescanEvery))
        .onFailure(SupervisorStrategy.restart()), "catalog");
    ctx.pipeToSelf(transferPort.start(ctx, settings, view), Bound::new);
  }

  /** The hash cache sits next to the peer's directories, hidden, one per peer id. */
  static Path cacheFile(PeerSettings s) {
    Path parent = s.sharedDir().toAbsolutePath().getParent();
    return (parent == null ? s.sharedDir() : parent).resolve(".hashes-" + s.peerId() + ".json");
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Bound.class, this::onBound)
        .onMessage(GetNode.class, this::onGetNode)
        .onMessage(StartDownload.class, this::onStartDownload)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(StatusParts.class, this::onStatusParts)
        .build();
  }

  private Behavior<Command> onBound(Bound b) {
    if (b.failure() != null) {
      getContext().getLog().error("[{}] cannot serve on port {}: {}", settings.peerId(), settings.port(),
          IndexClient.rootMessage(b.failure()));
      started.completeExceptionally(b.failure());
      return Behaviors.stopped();
    }
    ActorContext<Command> ctx = getContext();
    PeerAddress self = new PeerAddress(settings.peerId(), settings.host(), b.address().getPort());
    ActorRef<IndexClient.Command> index = ctx.spawn(Behaviors.supervise(IndexClient.create(
            IndexClient.Options.peer(settings.peerId(), self, settings.index(),
                Duration.ofMillis(settings.heartbeatIntervalMs())), catalog))
        .onFailure(SupervisorStrategy.restart()), "index-client");
    Download.Deps deps = new Download.Deps(index, catalog,
        new PieceTransfers(pool, new RateLimiter(settings.maxDownloadRate())),
        ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking()), settings.peerId(), 4,
        settings.pieceSize(), Duration.ofSeconds(30));
    ActorRef<Downloads.Command> downloads = ctx.spawn(Downloads.create(deps, 8), "downloads");
    ActorRef<ReplicationWorker.Command> worker = ctx.spawn(
        Behaviors.supervise(ReplicationWorker.create(index, catalog, downloads,
            settings.replicatedDir(), settings.maxTasks())).onFailure(SupervisorStrategy.restart()),
        "replication");
    node = new Node(settings, b.address(), catalog, index, downloads, worker);
    registerShutdown(index);
    getContext().getLog().info("[{}] serving on {}:{}, index {}, shared {}", settings.peerId(),
        settings.host(), b.address().getPort(), settings.index(), settings.sharedDir());
    started.complete(b.address());
    return stash.unstashAll(this);
  }

  private void registerShutdown(ActorRef<IndexClient.Command> index) {
    var system = getContext().getSystem();
    SourcePool p = pool;
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(),
        "unregister-" + settings.peerId(), () -> {
          CompletionStage<Done> left = AskPattern.ask(index, IndexClient.Unregister::new,
              Duration.ofSeconds(3), system.scheduler());
          return left.exceptionally(t -> Done.getInstance()).thenApply(d -> {
            p.close();
            return Done.getInstance();
          });
        });
  }

  private Behavior<Command> onGetNode(GetNode g) {
    if (node == null) {
      stash.stash(g);
    } else {
      g.replyTo().tell(node);
    }
    return this;
  }

  private Behavior<Command> onStartDownload(StartDownload s) {
    if (node == null) {
      stash.stash(s);
      return this;
    }
    node.downloads().tell(new Downloads.Start(
        Download.Request.obtain(s.fileName(), settings.downloadDir()), s.replyTo()));
    return this;
  }

  private Behavior<Command> onGetStatus(GetStatus g) {
    if (node == null) {
      stash.stash(g);
      return this;
    }
    var system = getContext().getSystem();
    Duration t = Duration.ofSeconds(5);
    CompletionStage<IndexClient.StatusReply> idx =
        AskPattern.ask(node.index(), IndexClient.GetStatus::new, t, system.scheduler());
    CompletionStage<Downloads.Active> dl =
        AskPattern.ask(node.downloads(), Downloads.ListActive::new, t, system.scheduler());
    CompletionStage<ReplicationWorker.Status> rep =
        AskPattern.ask(node.replication(), ReplicationWorker.GetStatus::new, t, system.scheduler());
    String peerId = settings.peerId(); // the callbacks below see only these locals
    InetSocketAddress address = node.transferAddress();
    CompletionStage<PeerStatus> all = idx.thenCombine(dl, (i, d) -> new PeerStatus(
        peerId, address, i, d, null))
        .thenCombine(rep, (s, r) -> new PeerStatus(s.peerId(), s.transferAddress(), s.index(),
            s.downloads(), r));
    getContext().pipeToSelf(all, (s, err) -> new StatusParts(g.replyTo(), s, err));
    return this;
  }

  private Behavior<Command> onStatusParts(StatusParts p) {
    if (p.failure() != null) {
      getContext().getLog().warn("[{}] status incomplete: {}", settings.peerId(), p.failure().toString());
    } else {
      p.replyTo().tell(p.status());
    }
    return this;
  }
}
