package io.p2pshare.cli;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.p2pshare.peer.PeerGuardian;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Watches the peer for the shell: asks the guardian for its status every {@code every} and sends
 * what changed (index lost / back, replication copies done) to {@code sink} as one line each.
 * Polling keeps the peer's actors free of any knowledge of the shell.
 */
public final class PeerEvents extends AbstractBehavior<PeerEvents.Command> {

  public sealed interface Command permits Tick, Got {}

  private enum Tick implements Command { INSTANCE }

  private record Got(PeerGuardian.PeerStatus status, Throwable failure) implements Command {}

  private static final Duration LATE_CONNECT = Duration.ofSeconds(10);
  private static final Duration BUSY_NEWS_EVERY = Duration.ofSeconds(30);

  private final ActorRef<PeerGuardian.Command> guardian;
  private final Consumer<String> sink;
  private final Duration timeout;
  private final long startNanos = System.nanoTime();
  private final StatusDiff news = new StatusDiff(BUSY_NEWS_EVERY);
  private boolean asking;
  private boolean everConnected;

  public static Behavior<Command> create(ActorRef<PeerGuardian.Command> guardian, Consumer<String> sink,
      Duration every) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ZERO, every);
      return new PeerEvents(ctx, guardian, sink, every);
    }));
  }

  private PeerEvents(ActorContext<Command> ctx, ActorRef<PeerGuardian.Command> guardian,
      Consumer<String> sink, Duration every) {
    super(ctx);
    this.guardian = guardian;
    this.sink = sink;
    this.timeout = every.multipliedBy(2).plusSeconds(5);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(Got.class, this::onGot)
        .build();
  }

  private Behavior<Command> onTick() {
    if (!asking) { // one question at a time, however slow the peer is
      asking = true;
      getContext().ask(PeerGuardian.PeerStatus.class, guardian, timeout, PeerGuardian.GetStatus::new,
          Got::new);
    }
    return this;
  }

  private Behavior<Command> onGot(Got g) {
    asking = false;
    if (g.failure() != null || g.status() == null) {
      return this; // no answer this time; the next tick asks again
    }
    StatusDiff.Snapshot next = snapshot(g.status());
    // The first registration right after start is no news; a reconnect, or a late start, is.
    boolean announce = everConnected || System.nanoTime() - startNanos > LATE_CONNECT.toNanos();
    for (String line : news.next(next, System.nanoTime(), announce)) {
      sink.accept(line);
    }
    everConnected |= next.connected();
    return this;
  }

  static StatusDiff.Snapshot snapshot(PeerGuardian.PeerStatus s) {
    var idx = s.index();
    var rep = s.replication();
    return new StatusDiff.Snapshot(
        idx == null ? "?" : String.valueOf(idx.index()),
        idx != null && idx.connected() && idx.registered(),
        idx == null ? null : idx.lastError(),
        rep == null ? java.util.List.of() : rep.running(),
        rep == null ? 0 : rep.queued().size(),
        rep == null ? 0 : rep.done(),
        rep == null ? 0 : rep.failed());
  }
}
