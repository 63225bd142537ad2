package io.p2pshare.index;

import static io.p2pshare.index.IndexFixture.code;
import static io.p2pshare.index.IndexFixture.files;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.eventstream.EventStream;
import io.p2pshare.protocol.Ack;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.protocol.RegistryRequest;
import io.p2pshare.protocol.RegistryResponse;
import io.p2pshare.protocol.TasksResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Sessions, tokens, liveness and registration modes, with ManualTime for the clock. */
class PeerRegistryTest {
  static final ActorTestKit kit = ActorTestKit.create(ManualTime.config());
  static final ManualTime time = ManualTime.get(kit.system());

  @AfterAll
  static void cleanup() {
    kit.shutdownTestKit();
  }

  @Test
  void registration_opens_a_session_and_files_become_searchable() {
    IndexFixture f = new IndexFixture(kit, 4);
    PeerRegistry.Reply r = f.register("peer2", files("a.txt", "b.txt"), null, null);
    RegistryResponse ok = (RegistryResponse) r.payload();
    assertEquals(2, ok.registeredFiles());
    assertEquals(32, ok.token().length(), "128-bit token as hex");
    assertEquals(1000L, ok.heartbeatIntervalMs());
    List<Holder> holders = f.view.exact("a.txt", null);
    assertEquals(1, holders.size());
    assertEquals("peer2", holders.get(0).peer().peerId());
    assertEquals(7101, holders.get(0).peer().address().port(), "peerN → base_port + N − 1");
    // A second peer gets its own, different token.
    assertNotEquals(ok.token(), f.token(f.register("peer3", files("a.txt"), null, null)));
    assertEquals(2, f.view.exact("a.txt", null).size());
  }

  @Test
  void base_client_without_peer_object_uses_envelope_id_and_derived_port() {
    IndexFixture f = new IndexFixture(kit, 2);
    f.token(f.registerAs("peer5", new RegistryRequest(null, files("x.txt"), null, null)));
    PeerRecord.Address a = f.view.exact("x.txt", null).get(0).peer().address();
    assertEquals(new PeerRecord.Address("127.0.0.1", 7104), a);
    // no id anywhere, or an id that gives no port: refused with a reason
    assertEquals("BAD_REQUEST", code(f.registerAs(null, new RegistryRequest(null, files("x"), null, null))));
    assertEquals("BAD_REQUEST", code(f.registerAs("alice", new RegistryRequest(null, files("x"), null, null))));
    assertEquals("BAD_REQUEST", code(f.registerAs("peer1",
        new RegistryRequest(new PeerAddress("peer2", "h", 1), files("x"), null, null))));
    assertEquals("BAD_REQUEST", code(f.registerAs("peer1", new RegistryRequest(null,
        Map.of("y", new FileMeta(1L, "not-a-hash")), null, null))));
  }

  @Test
  void token_refusal_once_the_session_uses_its_token() {
    IndexFixture f = new IndexFixture(kit, 2);
    String token = f.token(f.register("peer1", files("a"), null, null));
    assertTrue(f.heartbeat("peer1", token).payload() instanceof TasksResponse);
    assertEquals("UNAUTHORIZED", code(f.register("peer1", files("evil"), null, null)));
    assertEquals("UNAUTHORIZED", code(f.register("peer1", files("evil"), null, "f".repeat(32))));
    assertEquals("UNAUTHORIZED", code(f.heartbeat("peer1", "f".repeat(32))));
    assertEquals("UNAUTHORIZED", code(f.heartbeat("peer9", token)));
    assertEquals(List.of(), f.view.exact("evil", null));
    assertEquals(token, f.token(f.register("peer1", files("a", "b"), null, token)));
  }

  @Test
  void silent_peer_expires_and_vanishes_from_search() {
    IndexFixture f = new IndexFixture(kit, 2);
    TestProbe<IndexEvents.Event> events = kit.createTestProbe();
    kit.system().eventStream().tell(new EventStream.Subscribe<>(IndexEvents.Event.class, events.getRef()));
    String token = f.token(f.register("peer1", files("a"), null, null));
    f.heartbeat("peer1", token);
    time.timePasses(Duration.ofMillis(2000));
    f.heartbeat("peer1", token); // resets the clock
    time.timePasses(Duration.ofMillis(2500));
    assertEquals(1, f.view.exact("a", null).size(), "heartbeat within expiry keeps it live");
    time.timePasses(Duration.ofMillis(600));
    events.fishForMessage(Duration.ofSeconds(10), e -> e instanceof IndexEvents.PeerDead d
        && d.peer().peerId().equals("peer1")
        ? akka.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : akka.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
    // The event stream is shared by every fixture of this kit (all with a "peer1"), so the event
    // above may be another fixture's: wait for this registry's own view to drop the peer.
    events.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(List.of(), f.view.exact("a", null));
      return null;
    });
    assertEquals("UNAUTHORIZED", code(f.heartbeat("peer1", token)));
    kit.system().eventStream().tell(new EventStream.Unsubscribe<>(events.getRef()));
  }

  @Test
  void re_registration_after_expiry_is_live_with_its_new_file_list() {
    IndexFixture f = new IndexFixture(kit, 4);
    String token = f.token(f.register("peer1", files("old1", "old2"), null, null));
    f.heartbeat("peer1", token);
    time.timePasses(Duration.ofMillis(3100));
    awaitEmpty(f, "old1");
    // Back without its (expired) token, with a new list: a new session.
    String fresh = f.token(f.register("peer1", files("new1", "old2"), null, null));
    assertNotEquals(token, fresh);
    assertEquals(List.of("new1", "old2"), f.liveNamesOf("peer1", List.of("old1", "new1", "old2")));
    // Past the old session's grace period nothing is purged: the new session owns the entries.
    time.timePasses(Duration.ofMillis(900));
    f.heartbeat("peer1", fresh);
    time.timePasses(Duration.ofMillis(2500));
    f.heartbeat("peer1", fresh);
    time.timePasses(Duration.ofMillis(2500));
    f.heartbeat("peer1", fresh);
    assertEquals(List.of("new1", "old2"), f.liveNamesOf("peer1", List.of("old1", "new1", "old2")));
  }

  @Test
  void dead_peer_entries_are_purged_after_the_grace_period() {
    IndexFixture f = new IndexFixture(kit, 2);
    String token = f.token(f.register("peer1", files("gone"), null, null));
    f.heartbeat("peer1", token);
    time.timePasses(Duration.ofMillis(3100));
    awaitEmpty(f, "gone");
    assertTrue(f.view.holdersOf("gone") != null, "dead entry kept through the grace period");
    time.timePasses(Duration.ofMillis(5100));
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(null, f.view.holdersOf("gone"));
      return null;
    });
  }

  @Test
  void full_replaces_add_adds_remove_removes() {
    IndexFixture f = new IndexFixture(kit, 4);
    List<String> all = List.of("a", "b", "c", "d");
    String t = f.token(f.register("peer1", files("a", "b"), "full", null));
    assertEquals(3, ((RegistryResponse) f.register("peer1", files("c"), "add", t).payload()).registeredFiles());
    assertEquals(List.of("a", "b", "c"), f.liveNamesOf("peer1", all));
    assertEquals(2, ((RegistryResponse) f.register("peer1", Map.of("a", FileMeta.EMPTY), "remove", t)
        .payload()).registeredFiles());
    assertEquals(List.of("b", "c"), f.liveNamesOf("peer1", all));
    f.register("peer1", files("d"), "full", t);
    assertEquals(List.of("d"), f.liveNamesOf("peer1", all));
    assertEquals(null, f.view.holdersOf("b"), "a name without holders leaves the index");
  }

  @Test
  void unregister_removes_at_once() {
    IndexFixture f = new IndexFixture(kit, 2);
    String t = f.token(f.register("peer1", files("a"), null, null));
    TestProbe<PeerRegistry.Reply> p = kit.createTestProbe();
    f.registry.tell(new PeerRegistry.Unregister("peer1", t, p.getRef()));
    assertEquals(Ack.OK, p.receiveMessage().payload());
    assertEquals(List.of(), f.view.exact("a", null));
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(null, f.view.holdersOf("a"));
      return null;
    });
    assertEquals("UNAUTHORIZED", code(f.heartbeat("peer1", t)));
  }

  @Test
  void base_client_is_kept_alive_by_probes_and_dies_when_unreachable() {
    IndexFixture f = new IndexFixture(kit, 2);
    f.probeSucceeds.set(true);
    f.token(f.registerAs("peer4", new RegistryRequest(null, files("base.txt"), null, null)));
    for (int i = 0; i < 8; i++) { // 8 s of silence, far past expiry: probes keep it live
      time.timePasses(Duration.ofMillis(1000));
      settle(f);
    }
    assertEquals(1, f.view.exact("base.txt", null).size());
    f.probeSucceeds.set(false);
    for (int i = 0; i < 4; i++) {
      time.timePasses(Duration.ofMillis(1000));
      settle(f);
    }
    awaitEmpty(f, "base.txt");
    // A base client may register again without a token (same host, token never used).
    f.probeSucceeds.set(true);
    f.token(f.registerAs("peer4", new RegistryRequest(null, files("base.txt"), null, null)));
    f.token(f.registerAs("peer4", new RegistryRequest(null, files("base.txt", "more.txt"), null, null)));
    assertEquals(1, f.view.exact("more.txt", null).size());
  }

  @Test
  void counts_live_and_dead() {
    IndexFixture f = new IndexFixture(kit, 2);
    String t1 = f.token(f.register("peer1", files("a"), null, null));
    f.token(f.register("peer2", files("a"), null, null));
    f.heartbeat("peer1", t1);
    TestProbe<PeerRegistry.Counts> p = kit.createTestProbe();
    f.registry.tell(new PeerRegistry.GetCounts(p.getRef()));
    assertEquals(new PeerRegistry.Counts(2, 0), p.receiveMessage());
    time.timePasses(Duration.ofMillis(3100));
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      f.registry.tell(new PeerRegistry.GetCounts(p.getRef()));
      assertEquals(new PeerRegistry.Counts(0, 2), p.receiveMessage());
      return null;
    });
  }

  /** Lets pending probe results (async messages) arrive before time moves on. */
  private static void settle(IndexFixture f) {
    TestProbe<PeerRegistry.Counts> p = kit.createTestProbe();
    f.registry.tell(new PeerRegistry.GetCounts(p.getRef()));
    p.receiveMessage();
    f.registry.tell(new PeerRegistry.GetCounts(p.getRef()));
    p.receiveMessage();
  }

  private static void awaitEmpty(IndexFixture f, String name) {
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertFalse(f.view.exact(name, null).iterator().hasNext(), name + " still found");
      return null;
    });
  }
}
