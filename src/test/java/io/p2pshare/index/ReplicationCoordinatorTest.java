package io.p2pshare.index;

import static io.p2pshare.index.IndexFixture.files;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.Behaviors;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.protocol.RegistryRequest;
import io.p2pshare.protocol.ReplicationReport;
import io.p2pshare.protocol.ReplicationTask;
import io.p2pshare.protocol.TasksResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The coordinator against a real registry and shards, with TestProbes as the peers' connections. */
class ReplicationCoordinatorTest {
  static final ActorTestKit kit = ActorTestKit.create(ManualTime.config());
  static final ManualTime time = ManualTime.get(kit.system());

  @AfterAll
  static void cleanup() {
    kit.shutdownTestKit();
  }

  static final java.util.concurrent.atomic.AtomicInteger WORLDS = new java.util.concurrent.atomic.AtomicInteger();

  /** One test's world: registry + shards + coordinator; peers are probes on their push channel. */
  static final class World {
    final IndexFixture f = new IndexFixture(kit, 4);
    final ReplicationLedger ledger = new ReplicationLedger();
    final ActorRef<ReplicationCoordinator.Command> coordinator;
    final Map<String, TestProbe<Envelope>> conns = new HashMap<>();
    final Map<String, String> tokens = new HashMap<>();
    /** Peer ids unique to this world: all worlds share one system event stream. */
    final String prefix = "w" + WORLDS.incrementAndGet() + "-";

    String id(String shortId) {
      return prefix + shortId;
    }

    World(int rf, int cap) {
      Behavior<ReplicationCoordinator.Command> b = ReplicationCoordinator.create(
          new ReplicationCoordinator.Settings(rf, cap, 256, Duration.ofMillis(1000), Duration.ofMillis(100)),
          f.view, ledger, f.registry);
      coordinator = kit.spawn(Behaviors.supervise(b).onFailure(SupervisorStrategy.restart()));
    }

    void peer(String shortId, String... names) {
      String id = id(shortId);
      TestProbe<Envelope> conn = conns.computeIfAbsent(id, k -> kit.createTestProbe());
      TestProbe<PeerRegistry.Reply> p = kit.createTestProbe();
      Map<String, FileMeta> fs = new HashMap<>();
      for (String n : names) {
        fs.put(n, new FileMeta(1000L, null));
      }
      f.registry.tell(new PeerRegistry.Register(new RegistryRequest(new PeerAddress(id, "127.0.0.1", 9000),
          fs, tokens.containsKey(id) ? "add" : "full", tokens.get(id)), id, "127.0.0.1", "r",
          frame -> {
            conn.getRef().tell(frame);
            return true;
          }, p.getRef()));
      tokens.put(id, f.token(p.receiveMessage()));
      f.heartbeat(id, tokens.get(id)); // as real peers do: base clients (no heartbeat) get no tasks
    }

    /** Heartbeats for everyone but {@code silent}, then lets {@code ms} pass. */
    void pass(long ms, String... silent) {
      Set<String> quiet = new HashSet<>();
      for (String s : silent) {
        quiet.add(id(s));
      }
      for (long done = 0; done < ms; done += 500) {
        tokens.forEach((id, t) -> {
          if (!quiet.contains(id)) {
            f.heartbeat(id, t);
          }
        });
        time.timePasses(Duration.ofMillis(Math.min(500, ms - done)));
      }
    }

    List<ReplicationTask> tasksFor(String id) {
      Envelope e = conns.get(id(id)).receiveMessage(Duration.ofSeconds(10));
      return e.payloadAs(TasksResponse.class).replicationTasks();
    }

    void noTasksFor(String id) {
      conns.get(id(id)).expectNoMessage(Duration.ofMillis(300));
    }

    void report(String id, ReplicationTask t, String status) {
      TestProbe<PeerRegistry.Reply> p = kit.createTestProbe();
      f.registry.tell(new PeerRegistry.Report(id(id), new ReplicationReport(tokens.get(id(id)), t.taskId(),
          t.fileName(), status, null), p.getRef()));
      p.receiveMessage();
    }
  }

  @Test
  void new_file_with_one_holder_gets_exactly_rf_minus_one_tasks() {
    World w = new World(3, 4);
    w.peer("p1");
    w.peer("p2");
    w.peer("p3");
    w.peer("p4", "solo.bin");
    time.timePasses(Duration.ofMillis(200));
    List<ReplicationTask> got = new ArrayList<>();
    Set<String> targets = new HashSet<>();
    for (String id : List.of("p1", "p2", "p3")) {
      TestProbe<Envelope> c = w.conns.get(w.id(id));
      Envelope e = c.expectMessageClass(Envelope.class, Duration.ofSeconds(10));
      got.addAll(e.payloadAs(TasksResponse.class).replicationTasks());
      targets.add(id);
      if (got.size() == 2) {
        break;
      }
    }
    assertEquals(2, got.size(), "RF 3 − 1 holder = 2 copies");
    assertEquals(2, targets.size());
    for (ReplicationTask t : got) {
      assertEquals("solo.bin", t.fileName());
      assertEquals(w.id("p4"), t.source().peerId());
      assertEquals(1000L, t.sizeBytes());
    }
    w.pass(2000);
    for (String id : List.of("p1", "p2", "p3", "p4")) {
      w.conns.get(w.id(id)).expectNoMessage(Duration.ofMillis(100));
    }
    assertEquals(2, w.ledger.runningCount);
  }

  @Test
  void base_clients_that_never_heartbeat_get_no_tasks() {
    World w = new World(2, 4);
    w.peer("src", "f");
    TestProbe<PeerRegistry.Reply> p = kit.createTestProbe();
    w.f.registry.tell(new PeerRegistry.Register(new RegistryRequest(
        new PeerAddress(w.id("base"), "127.0.0.1", 9100), files(), null, null), w.id("base"),
        "127.0.0.1", "r", frame -> {
          throw new AssertionError("a base client got " + frame);
        }, p.getRef()));
    w.f.token(p.receiveMessage());
    w.pass(3000);
    assertEquals(1, w.ledger.queuedCount, "waits for a peer that can take it");
    w.peer("ext");
    time.timePasses(Duration.ofMillis(200));
    assertEquals("f", w.tasksFor("ext").get(0).fileName());
  }

  @Test
  void two_files_on_one_peer_go_to_different_targets() {
    World w = new World(2, 4);
    w.peer("a");
    w.peer("b");
    w.peer("src", "f1", "f2");
    time.timePasses(Duration.ofMillis(200));
    List<ReplicationTask> toA = w.tasksFor("a");
    List<ReplicationTask> toB = w.tasksFor("b");
    assertEquals(1, toA.size());
    assertEquals(1, toB.size());
    assertNotEquals(toA.get(0).fileName(), toB.get(0).fileName());
  }

  @Test
  void a_target_that_times_out_is_retried_elsewhere_and_done_copies_stay_done() {
    World w = new World(2, 4);
    w.peer("a");
    w.peer("src", "big.bin");
    time.timePasses(Duration.ofMillis(200));
    ReplicationTask first = w.tasksFor("a").get(0);
    w.peer("b");
    w.pass(1000);
    w.noTasksFor("b");
    w.pass(18_000); // past the deadline (1 s delivery + 15 s + size)
    ReplicationTask retry = w.tasksFor("b").get(0);
    assertEquals("big.bin", retry.fileName());
    assertNotEquals(first.taskId(), retry.taskId());
    assertEquals(1L, w.ledger.failed);
    w.report("b", retry, ReplicationReport.DONE);
    w.peer("b", "big.bin"); // the re-announce
    w.pass(3000);
    w.noTasksFor("a");
    w.noTasksFor("b");
    assertEquals(1L, w.ledger.done);
    assertEquals(0, w.ledger.runningCount);
    // a late report from the timed-out target is ignored
    w.report("a", first, ReplicationReport.DONE);
    assertEquals(1L, w.ledger.done);
  }

  @Test
  void crash_mid_way_restarts_and_finishes_without_duplicates() {
    World w = new World(2, 4);
    w.peer("a");
    w.peer("src", "x1", "x2", "x3");
    time.timePasses(Duration.ofMillis(200));
    List<ReplicationTask> before = w.tasksFor("a");
    assertEquals(3, before.size());
    w.coordinator.tell(new ReplicationCoordinator.Crash("test"));
    w.pass(2000);
    w.noTasksFor("a");
    assertEquals(3, w.ledger.runningCount, "the handed-out tasks survive the restart");
    for (ReplicationTask t : before) {
      w.report("a", t, ReplicationReport.DONE);
    }
    w.peer("a", "x1", "x2", "x3");
    w.pass(2000);
    w.noTasksFor("a");
    assertEquals(3L, w.ledger.done);
    assertEquals(0, w.ledger.runningCount + w.ledger.queuedCount);
  }

  @Test
  void a_peer_back_within_the_grace_period_causes_no_copies() {
    World w = new World(2, 4);
    w.peer("a", "shared.txt");
    w.peer("b", "shared.txt");
    w.peer("c");
    w.pass(3500, "b"); // b is dead for search now (expiry 3 s), grace is 5 s
    assertEquals(1, w.f.view.exact("shared.txt", null).size());
    w.tokens.remove(w.id("b"));
    w.peer("b", "shared.txt"); // back, re-registers
    w.pass(6000);
    w.noTasksFor("c");
    assertEquals(0L, w.ledger.done + w.ledger.failed + w.ledger.runningCount + w.ledger.queuedCount);
  }

  @Test
  void after_the_grace_period_the_dead_peers_files_are_re_replicated() {
    World w = new World(2, 4);
    w.peer("a", "d1", "d2");
    w.peer("b", "d1", "d2");
    w.peer("c");
    w.pass(7000, "b"); // dead at 3 s, purged at 8 s
    w.noTasksFor("c");
    w.pass(2000, "b");
    List<ReplicationTask> tasks = new ArrayList<>(w.tasksFor("c"));
    if (tasks.size() < 2) {
      tasks.addAll(w.tasksFor("c"));
    }
    assertEquals(Set.of("d1", "d2"), Set.of(tasks.get(0).fileName(), tasks.get(1).fileName()));
    assertTrue(tasks.stream().allMatch(t -> t.source().peerId().equals(w.id("a"))));
  }

  @Test
  void fewer_live_peers_than_rf_does_what_it_can_and_says_so() {
    World w = new World(3, 4);
    w.peer("a", "only.txt");
    w.peer("b");
    time.timePasses(Duration.ofMillis(200));
    assertEquals(1, w.tasksFor("b").size());
    w.pass(1000);
    w.noTasksFor("a");
    assertEquals(1L, w.f.view.counts(3).underReplicated());
    assertEquals(1L, w.ledger.underReplicated);
  }

  @Test
  void unregistered_peer_is_re_replicated_at_once_and_caps_hold() {
    World w = new World(2, 2);
    String[] names = new String[10];
    for (int i = 0; i < 10; i++) {
      names[i] = "c" + i;
    }
    w.peer("a", names);
    w.peer("b", names);
    w.peer("c");
    w.peer("d");
    TestProbe<PeerRegistry.Reply> p = kit.createTestProbe();
    w.f.registry.tell(new PeerRegistry.Unregister(w.id("b"), w.tokens.remove(w.id("b")), p.getRef()));
    p.receiveMessage();
    time.timePasses(Duration.ofMillis(200));
    // c and d run at most 2 copies each (a serves at most 4): 4 at once, whatever the 10 files need
    List<ReplicationTask> first = new ArrayList<>();
    for (String id : List.of("c", "d")) {
      Envelope e = w.conns.get(w.id(id)).receiveMessage(Duration.ofSeconds(10));
      first.addAll(e.payloadAs(TasksResponse.class).replicationTasks());
    }
    assertEquals(4, first.size());
    assertEquals(4, w.ledger.runningCount);
    assertEquals(6, w.ledger.queuedCount);
    assertTrue(w.ledger.load.values().stream().allMatch(n -> n <= 2), w.ledger.load.toString());
    assertTrue(w.ledger.uploads.values().stream().allMatch(n -> n <= 4), w.ledger.uploads.toString());
    for (ReplicationTask t : first.subList(0, 2)) {
      w.report(isFor(w, w.id("c"), t) ? "c" : "d", t, ReplicationReport.DONE);
    }
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(2L, w.ledger.done);
      assertEquals(4, w.ledger.runningCount, "freed slots are refilled at once");
      assertEquals(4, w.ledger.queuedCount);
      return null;
    });
  }

  private static boolean isFor(World w, String id, ReplicationTask t) {
    return w.ledger.running.containsKey(t.taskId()) && w.ledger.running.get(t.taskId()).target.peerId().equals(id);
  }
}
