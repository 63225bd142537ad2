package io.p2pshare.peer;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.ReplicationReport;
import io.p2pshare.protocol.ReplicationTask;
import io.p2pshare.transfer.Origin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the index's replication tasks: at most {@code maxConcurrent} at a time, each through the
 * verified {@link Download} code into {@code replicated/} (REPLICATE requests), then reports
 * done/failed to the index. The catalog learns the new file from the download and announces it
 * ({@code add}). A task for a file this peer already holds is reported done at once; a task id
 * seen before is ignored, and tasks for a file already being copied share that copy.
 */
public final class ReplicationWorker extends AbstractBehavior<ReplicationWorker.Command> {

  public sealed interface Command permits TasksArrived, LookedUp, DownloadEvent, GetStatus {}

  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /** Running and queued tasks, for the peer's {@code status}. */
  public record Status(List<String> running, List<String> queued, long done, long failed) {}

  private record TasksArrived(IndexClient.Tasks tasks) implements Command {}

  private record LookedUp(ReplicationTask task, Catalog.Found found, Throwable failure) implements Command {}

  private record DownloadEvent(Download.Event event) implements Command {}

  private final ActorRef<IndexClient.Command> index;
  private final ActorRef<Catalog.Command> catalog;
  private final ActorRef<Downloads.Command> downloads;
  private final Path replicatedDir;
  private final int maxConcurrent;
  private final ActorRef<Download.Event> downloadAdapter;
  private final Deque<ReplicationTask> queue = new ArrayDeque<>();
  /** file name → task ids waiting on the copy of that file. */
  private final Map<String, List<ReplicationTask>> running = new LinkedHashMap<>();
  private final Set<String> seenTaskIds = new HashSet<>();
  /** Files whose named source failed and that are being fetched from any holder instead. */
  private final Set<String> retriedViaIndex = new HashSet<>();
  private long done;
  private long failed;

  public static Behavior<Command> create(ActorRef<IndexClient.Command> index,
      ActorRef<Catalog.Command> catalog, ActorRef<Downloads.Command> downloads, Path replicatedDir,
      int maxConcurrent) {
    return Behaviors.setup(ctx ->
        new ReplicationWorker(ctx, index, catalog, downloads, replicatedDir, maxConcurrent));
  }

  private ReplicationWorker(ActorContext<Command> ctx, ActorRef<IndexClient.Command> index,
      ActorRef<Catalog.Command> catalog, ActorRef<Downloads.Command> downloads, Path replicatedDir,
      int maxConcurrent) {
    super(ctx);
    this.index = index;
    this.catalog = catalog;
    this.downloads = downloads;
    this.replicatedDir = replicatedDir;
    this.maxConcurrent = Math.max(1, maxConcurrent);
    this.downloadAdapter = ctx.messageAdapter(Download.Event.class, DownloadEvent::new);
    index.tell(new IndexClient.SubscribeTasks(
        ctx.messageAdapter(IndexClient.Tasks.class, TasksArrived::new)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(TasksArrived.class, this::onTasks)
        .onMessage(LookedUp.class, this::onLookedUp)
        .onMessage(DownloadEvent.class, this::onDownloadEvent)
        .onMessage(GetStatus.class, this::onStatus)
        .build();
  }

  private Behavior<Command> onTasks(TasksArrived t) {
    for (ReplicationTask task : t.tasks().tasks()) {
      if (task.taskId() == null || task.fileName() == null || !seenTaskIds.add(task.taskId())) {
        continue;
      }
      List<ReplicationTask> sameFile = running.get(task.fileName());
      if (sameFile != null) {
        sameFile.add(task);
      } else {
        queue.add(task);
      }
    }
    startMore();
    return this;
  }

  private void startMore() {
    while (running.size() < maxConcurrent && !queue.isEmpty()) {
      ReplicationTask task = queue.poll();
      List<ReplicationTask> sameFile = running.get(task.fileName());
      if (sameFile != null) {
        sameFile.add(task);
        continue;
      }
      running.put(task.fileName(), new ArrayList<>(List.of(task)));
      getContext().ask(Catalog.Found.class, catalog, Duration.ofSeconds(30),
          ref -> new Catalog.Lookup(task.fileName(), ref), (f, err) -> new LookedUp(task, f, err));
    }
  }

  private Behavior<Command> onLookedUp(LookedUp l) {
    ReplicationTask task = l.task();
    if (l.found() != null && l.found().entry().isPresent()) {
      String have = l.found().entry().get().sha256();
      if (task.sha256() == null || task.sha256().equalsIgnoreCase(have)) {
        getContext().getLog().info("task {}: {} already held; done", task.taskId(), task.fileName());
        finish(task.fileName(), ReplicationReport.DONE, null);
        return this;
      }
    }
    if (task.source() == null || task.source().host() == null || task.source().port() == null) {
      finish(task.fileName(), ReplicationReport.FAILED, "task has no usable source");
      return this;
    }
    getContext().getLog().info("task {}: copying {} from {}", task.taskId(), task.fileName(),
        task.source().peerId());
    Download.Request req = new Download.Request(task.fileName(), replicatedDir, Origin.REPLICATED,
        MessageType.REPLICATE_REQUEST, List.of(task.source()),
        new FileMeta(task.sizeBytes(), task.sha256()));
    downloads.tell(new Downloads.Start(req, downloadAdapter));
    return this;
  }

  private Behavior<Command> onDownloadEvent(DownloadEvent d) {
    if (d.event() instanceof Download.Finished f) {
      finish(f.fileName(), ReplicationReport.DONE, null);
    } else if (d.event() instanceof Download.Failed f) {
      List<ReplicationTask> tasks = running.get(f.fileName());
      boolean sourceProblem = "UNAVAILABLE".equals(f.code()) || "VERIFY_FAILED".equals(f.code());
      if (tasks != null && sourceProblem && retriedViaIndex.add(f.fileName())) {
        // The named source is gone or bad: any other live holder will do.
        ReplicationTask t = tasks.get(0);
        getContext().getLog().info("task {}: source failed ({}); asking the index for other holders",
            t.taskId(), f.error());
        downloads.tell(new Downloads.Start(new Download.Request(t.fileName(), replicatedDir,
            Origin.REPLICATED, MessageType.REPLICATE_REQUEST, null,
            new FileMeta(t.sizeBytes(), t.sha256())), downloadAdapter));
        return this;
      }
      finish(f.fileName(), ReplicationReport.FAILED, f.code() + ": " + f.error());
    }
    return this;
  }

  private void finish(String fileName, String status, String error) {
    retriedViaIndex.remove(fileName);
    List<ReplicationTask> tasks = running.remove(fileName);
    if (tasks == null) {
      return;
    }
    for (ReplicationTask t : tasks) {
      index.tell(new IndexClient.Report(t.taskId(), t.fileName(), status, error));
      if (ReplicationReport.DONE.equals(status)) {
        done++;
      } else {
        failed++;
        getContext().getLog().warn("task {}: {} failed: {}", t.taskId(), fileName, error);
      }
    }
    startMore();
  }

  private Behavior<Command> onStatus(GetStatus g) {
    List<String> q = new ArrayList<>();
    queue.forEach(t -> q.add(t.fileName()));
    g.replyTo().tell(new Status(List.copyOf(running.keySet()), q, done, failed));
    return this;
  }
}
