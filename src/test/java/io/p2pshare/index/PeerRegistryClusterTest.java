package io.p2pshare.index;

import static io.p2pshare.index.IndexFixture.code;
import static io.p2pshare.index.IndexFixture.files;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import io.p2pshare.protocol.TasksResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The registry's cluster-mode messages: Release and ShardLost drop sessions silently. */
class PeerRegistryClusterTest {
  static final ActorTestKit kit = ActorTestKit.create(ManualTime.config());

  @AfterAll
  static void cleanup() {
    kit.shutdownTestKit();
  }

  @Test
  void shard_lost_asks_heartbeating_peers_with_files_there_to_register_again() {
    IndexFixture f = new IndexFixture(kit, 4);
    String t1 = f.token(f.register("peer1", files("a.txt", "b.txt", "c.txt", "d.txt", "e.txt"), null, null));
    String t2 = f.token(f.register("peer2", files(), null, null));
    assertTrue(f.heartbeat("peer1", t1).payload() instanceof TasksResponse);
    assertTrue(f.heartbeat("peer2", t2).payload() instanceof TasksResponse);
    int lost = f.view.routing().shardOf("a.txt");
    f.registry.tell(new PeerRegistry.ShardLost(lost));
    // peer1 had files in the lost shard: its session is gone, the next heartbeat says so.
    assertEquals("UNAUTHORIZED", code(f.heartbeat("peer1", t1)));
    // peer2 had none there: untouched.
    assertTrue(f.heartbeat("peer2", t2).payload() instanceof TasksResponse);
    // The entries stay findable meanwhile (no PeerDead, no purge); re-registration works.
    assertEquals(1, f.view.exact("b.txt", null).size());
    f.token(f.register("peer1", files("a.txt", "b.txt", "c.txt", "d.txt", "e.txt"), null, null));
    assertEquals(1, f.view.exact("a.txt", null).size());
  }

  @Test
  void release_drops_the_session_without_declaring_the_peer_dead() {
    IndexFixture f = new IndexFixture(kit, 2);
    String t = f.token(f.register("peer3", files("x.txt"), null, null));
    f.registry.tell(new PeerRegistry.Release("peer3"));
    assertEquals("UNAUTHORIZED", code(f.heartbeat("peer3", t)));
    assertTrue(f.view.exact("x.txt", null).get(0).peer().isLive(), "still live: another node holds it now");
  }
}
