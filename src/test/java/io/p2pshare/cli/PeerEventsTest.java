package io.p2pshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.p2pshare.config.Endpoint;
import io.p2pshare.peer.Downloads;
import io.p2pshare.peer.IndexClient;
import io.p2pshare.peer.PeerGuardian;
import io.p2pshare.peer.ReplicationWorker;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class PeerEventsTest {
  static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void cleanup() {
    testKit.shutdownTestKit();
  }

  private static PeerGuardian.PeerStatus status(boolean connected, List<String> running, long done) {
    return new PeerGuardian.PeerStatus("peer1", new InetSocketAddress("127.0.0.1", 7100),
        new IndexClient.StatusReply(new Endpoint("127.0.0.1", 7000), connected, connected, 3, 0,
            connected ? null : "Connection refused"),
        new Downloads.Active(List.of()), new ReplicationWorker.Status(running, List.of(), done, 0));
  }

  /** Answers status asks from a script, repeating the last entry. */
  private static Behavior<PeerGuardian.Command> guardian(List<PeerGuardian.PeerStatus> script) {
    return Behaviors.setup(ctx -> {
      int[] next = {0};
      return Behaviors.receive(PeerGuardian.Command.class)
          .onMessage(PeerGuardian.GetStatus.class, g -> {
            g.replyTo().tell(script.get(Math.min(next[0]++, script.size() - 1)));
            return Behaviors.same();
          })
          .build();
    });
  }

  @Test
  void changesBecomeOneLineEach() throws Exception {
    ActorRef<PeerGuardian.Command> g = testKit.spawn(guardian(List.of(
        status(true, List.of("x.bin"), 0),
        status(false, List.of("x.bin"), 0),
        status(true, List.of(), 1))));
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    testKit.spawn(PeerEvents.create(g, lines::add, Duration.ofMillis(20)));
    assertEquals("Index 127.0.0.1:7000 lost (Connection refused); reconnecting", lines.poll(30, TimeUnit.SECONDS));
    assertEquals("Index 127.0.0.1:7000 connected; files registered", lines.poll(30, TimeUnit.SECONDS));
    assertEquals("Replicated 'x.bin' into replicated/", lines.poll(30, TimeUnit.SECONDS));
    assertEquals(null, lines.poll(200, TimeUnit.MILLISECONDS), "no news, no lines");
  }
}
