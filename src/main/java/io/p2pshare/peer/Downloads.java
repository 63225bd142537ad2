package io.p2pshare.peer;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parent of the {@link Download} actors: starts one per request (at most {@code maxConcurrent}
 * at a time, the rest wait in order), refuses a second download to the same path while one runs,
 * forwards each child's events to its requester and keeps a live list for {@code status}.
 */
public final class Downloads extends AbstractBehavior<Downloads.Command> {

  public sealed interface Command permits Start, ListActive, Cancel, Wrapped, ChildStopped {}

  /** Start a download; {@code replyTo} gets {@link Download.Event}s (ids from this actor). */
  public record Start(Download.Request request, ActorRef<Download.Event> replyTo) implements Command {}

  public record ListActive(ActorRef<Active> replyTo) implements Command {}

  /**
   * Stop the download of {@code fileName} into {@code targetDir}, running or queued; replies
   * whether there was one. Its requester gets {@code Failed} with code {@code CANCELLED}. The
   * {@code .part} file and resume record stay (a later download resumes from the verified
   * pieces); the final name is never written.
   */
  public record Cancel(String fileName, Path targetDir, ActorRef<Boolean> replyTo) implements Command {}

  /** One running or queued download as {@code status} shows it. */
  public record Item(long id, String fileName, Path targetDir, long bytes, long total, boolean running) {}

  public record Active(List<Item> items) {}

  private record Wrapped(Download.Event event) implements Command {}

  private record ChildStopped(long id) implements Command {}

  private static final class Entry {
    final long id;
    final Start start;
    long bytes;
    long total;
    boolean running;
    boolean answered;
    boolean cancelled;
    ActorRef<Download.Command> child;

    Entry(long id, Start start) {
      this.id = id;
      this.start = start;
    }

    Path path() {
      return start.request().targetDir().resolve(start.request().fileName()).toAbsolutePath();
    }
  }

  private final Download.Deps deps;
  private final int maxConcurrent;
  private final ActorRef<Download.Event> adapter;
  private final Map<Long, Entry> entries = new HashMap<>();
  private final Map<Path, Long> byPath = new HashMap<>();
  private final Deque<Entry> queue = new ArrayDeque<>();
  private int running;
  private long nextId = 1;

  public static Behavior<Command> create(Download.Deps deps, int maxConcurrent) {
    return Behaviors.setup(ctx -> new Downloads(ctx, deps, maxConcurrent));
  }

  private Downloads(ActorContext<Command> ctx, Download.Deps deps, int maxConcurrent) {
    super(ctx);
    this.deps = deps;
    this.maxConcurrent = Math.max(1, maxConcurrent);
    this.adapter = ctx.messageAdapter(Download.Event.class, Wrapped::new);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Start.class, this::onStart)
        .onMessage(ListActive.class, this::onList)
        .onMessage(Cancel.class, this::onCancel)
        .onMessage(Wrapped.class, this::onEvent)
        .onMessage(ChildStopped.class, this::onChildStopped)
        .build();
  }

  private Behavior<Command> onStart(Start s) {
    long id = nextId++;
    // Names come from the index, replication tasks and the command line: never let one write
    // outside the target directory (../x, /etc/x, backslashes, NUL, ...).
    if (!io.p2pshare.transfer.FileNames.isValid(s.request().fileName())) {
      s.replyTo().tell(new Download.Failed(id, s.request().fileName(), "BAD_REQUEST",
          "not a plain file name: " + io.p2pshare.transfer.FileNames.printable(s.request().fileName())));
      return this;
    }
    Entry e = new Entry(id, s);
    Long other = byPath.get(e.path());
    if (other != null) {
      s.replyTo().tell(new Download.Failed(id, s.request().fileName(), "BUSY",
          "already downloading " + e.path()));
      return this;
    }
    entries.put(id, e);
    byPath.put(e.path(), id);
    queue.add(e);
    startQueued();
    return this;
  }

  private void startQueued() {
    while (running < maxConcurrent && !queue.isEmpty()) {
      Entry e = queue.poll();
      e.running = true;
      running++;
      // A download that throws is a bug for that file only: stop it, keep the others.
      ActorRef<Download.Command> child = getContext().spawn(
          Behaviors.supervise(Download.create(e.id, e.start.request(), deps, adapter))
              .onFailure(SupervisorStrategy.stop()),
          "download-" + e.id);
      getContext().watchWith(child, new ChildStopped(e.id));
      e.child = child;
    }
  }

  private Behavior<Command> onEvent(Wrapped w) {
    Entry e = entries.get(w.event().id());
    if (e == null || e.cancelled) {
      return this;
    }
    if (w.event() instanceof Download.Progress p) {
      e.bytes = p.bytes();
      e.total = p.total();
    } else {
      e.answered = true;
      byPath.remove(e.path()); // done with that path: a retry may start at once
    }
    e.start.replyTo().tell(w.event());
    return this;
  }

  private Behavior<Command> onCancel(Cancel c) {
    Path path = c.targetDir().resolve(c.fileName()).toAbsolutePath();
    Long id = byPath.get(path);
    Entry e = id == null ? null : entries.get(id);
    if (e == null || e.cancelled) {
      c.replyTo().tell(false);
      return this;
    }
    e.cancelled = true;
    e.answered = true;
    e.start.replyTo().tell(new Download.Failed(e.id, c.fileName(), "CANCELLED", "cancelled"));
    getContext().getLog().info("{}: download cancelled", c.fileName());
    if (e.running) {
      getContext().stop(e.child); // ChildStopped then frees the path and starts the next one
    } else {
      queue.remove(e);
      entries.remove(e.id);
      byPath.remove(path);
    }
    c.replyTo().tell(true);
    return this;
  }

  private Behavior<Command> onChildStopped(ChildStopped c) {
    Entry e = entries.remove(c.id());
    running--;
    if (e != null) {
      byPath.remove(e.path(), e.id);
      if (!e.answered) {
        e.start.replyTo().tell(new Download.Failed(e.id, e.start.request().fileName(), "IO",
            "download stopped unexpectedly"));
      }
    }
    startQueued();
    return this;
  }

  private Behavior<Command> onList(ListActive l) {
    List<Item> items = new ArrayList<>();
    for (Entry e : entries.values()) {
      items.add(new Item(e.id, e.start.request().fileName(), e.start.request().targetDir(),
          e.bytes, e.total, e.running));
    }
    items.sort((a, b) -> Long.compare(a.id(), b.id()));
    l.replyTo().tell(new Active(items));
    return this;
  }
}
