package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.*;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import io.p2pshare.config.Endpoint;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.protocol.ReplicationTask;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.testing.FakeIndex;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class IndexClientTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final Backoff FAST = new Backoff(Duration.ofMillis(50), Duration.ofMillis(500), 0.2);
  static final String SHA = "ab".repeat(32);

  @AfterAll
  static void cleanup() {
    testKit.shutdownTestKit();
  }

  static void await(BooleanSupplier cond, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  private record Started(ActorRef<IndexClient.Command> client, ActorRef<Catalog.Delta> catalogSink) {}

  private Started startPeer(FakeIndex idx, String id) {
    TestProbe<Catalog.Command> catalog = testKit.createTestProbe();
    IndexClient.Options o = IndexClient.Options.peer(id, new PeerAddress(id, "127.0.0.1", 7999),
        new Endpoint("127.0.0.1", idx.port()), Duration.ofMillis(200)).withBackoff(FAST);
    ActorRef<IndexClient.Command> c = testKit.spawn(IndexClient.create(o, catalog.getRef()));
    Catalog.Subscribe sub = catalog.expectMessageClass(Catalog.Subscribe.class);
    return new Started(c, sub.subscriber());
  }

  @Test
  void registersWithHashesHeartbeatsAndSendsDeltas() throws Exception {
    try (FakeIndex idx = FakeIndex.start()) {
      Started s = startPeer(idx, "peerA");
      s.catalogSink().tell(new Catalog.Delta(Map.of("a.txt", new FileMeta(3L, SHA)), Set.of(), true));
      await(() -> idx.files.containsKey("peerA") && idx.files.get("peerA").containsKey("a.txt"), "register");
      assertEquals(SHA, idx.files.get("peerA").get("a.txt").sha256());
      assertEquals(7999, idx.peers.get("peerA").port());
      await(() -> idx.heartbeats.get() >= 2, "heartbeats");

      s.catalogSink().tell(new Catalog.Delta(Map.of("b.txt", new FileMeta(4L, SHA)), Set.of("a.txt"), false));
      await(() -> idx.files.get("peerA").containsKey("b.txt")
          && !idx.files.get("peerA").containsKey("a.txt"), "add/remove update");
      assertEquals(1, idx.registrations.get(), "updates are incremental, not full re-registrations");

      TestProbe<Done> done = testKit.createTestProbe();
      s.client().tell(new IndexClient.Unregister(done.getRef()));
      done.expectMessage(Duration.ofSeconds(20), Done.getInstance());
      assertEquals(List.of("peerA"), idx.unregistered);
      testKit.stop(s.client());
    }
  }

  @Test
  void survivesAnIndexRestartAndRegistersAgainByItself() throws Exception {
    try (FakeIndex idx = FakeIndex.start()) {
      Started s = startPeer(idx, "peerB");
      s.catalogSink().tell(new Catalog.Delta(Map.of("x.bin", new FileMeta(10L, SHA)), Set.of(), true));
      await(() -> idx.files.containsKey("peerB"), "first registration");
      idx.restart(); // everything forgotten, connections dropped, same port
      assertFalse(idx.files.containsKey("peerB"));
      await(() -> idx.files.containsKey("peerB") && idx.files.get("peerB").containsKey("x.bin"),
          "re-registration after restart");
      TestProbe<IndexClient.SearchReply> sp = testKit.createTestProbe();
      s.client().tell(new IndexClient.Search(SearchQuery.exact("x.bin"), sp.getRef()));
      IndexClient.SearchReply r = sp.receiveMessage(Duration.ofSeconds(20));
      assertTrue(r.ok(), String.valueOf(r.error()));
      assertEquals("peerB", r.response().results().get(0).peerId());
      TestProbe<IndexClient.StatusReply> st = testKit.createTestProbe();
      s.client().tell(new IndexClient.GetStatus(st.getRef()));
      IndexClient.StatusReply status = st.receiveMessage();
      assertTrue(status.connected() && status.registered());
      assertTrue(status.reconnects() >= 1);
      testKit.stop(s.client());
    }
  }

  @Test
  void aSessionTheIndexForgotIsOpenedAgainOnTheSameConnection() throws Exception {
    try (FakeIndex idx = FakeIndex.start()) {
      Started s = startPeer(idx, "peerD");
      s.catalogSink().tell(new Catalog.Delta(Map.of("d.txt", new FileMeta(1L, SHA)), Set.of(), true));
      await(() -> idx.files.containsKey("peerD"), "registration");
      idx.tokens.clear(); // expired on the index side; the connection stays up
      idx.files.clear();
      await(() -> idx.files.containsKey("peerD") && idx.files.get("peerD").containsKey("d.txt"),
          "registration after the heartbeat was refused");
      assertEquals(2, idx.registrations.get());
      testKit.stop(s.client());
    }
  }

  @Test
  void anIndexThatStopsAnsweringIsLeftAndRejoinedWhenItAnswersAgain() throws Exception {
    try (FakeIndex idx = FakeIndex.start()) {
      Started s = startPeer(idx, "peerE");
      s.catalogSink().tell(new Catalog.Delta(Map.of("e.txt", new FileMeta(1L, SHA)), Set.of(), true));
      await(() -> idx.files.containsKey("peerE"), "registration");
      idx.mute = true; // heartbeats (and a new registration) go unanswered
      TestProbe<IndexClient.StatusReply> st = testKit.createTestProbe();
      await(() -> {
        s.client().tell(new IndexClient.GetStatus(st.getRef()));
        return st.receiveMessage().reconnects() >= 2;
      }, "reconnects while the index is silent");
      idx.tokens.clear();
      idx.files.clear();
      idx.mute = false;
      await(() -> idx.files.containsKey("peerE") && idx.files.get("peerE").containsKey("e.txt"),
          "registered again once the index answers");
      testKit.stop(s.client());
    }
  }

  @Test
  void deliversTasksFromHeartbeatsAndPushes() throws Exception {
    try (FakeIndex idx = FakeIndex.start()) {
      Started s = startPeer(idx, "peerC");
      TestProbe<IndexClient.Tasks> tasks = testKit.createTestProbe();
      s.client().tell(new IndexClient.SubscribeTasks(tasks.getRef()));
      ReplicationTask t1 = new ReplicationTask("t1", "f.bin", 1L, SHA, new PeerAddress("p", "127.0.0.1", 1));
      idx.tasksOnHeartbeat.put("peerC", List.of(t1));
      s.catalogSink().tell(new Catalog.Delta(Map.of(), Set.of(), true));
      assertEquals("t1", tasks.receiveMessage(Duration.ofSeconds(20)).tasks().get(0).taskId());
      ReplicationTask t2 = new ReplicationTask("t2", "g.bin", 1L, SHA, new PeerAddress("p", "127.0.0.1", 1));
      idx.push("peerC", List.of(t2));
      assertEquals("t2", tasks.receiveMessage(Duration.ofSeconds(20)).tasks().get(0).taskId());
      s.client().tell(new IndexClient.Report("t2", "g.bin", "done", null));
      await(() -> idx.reports.size() == 1, "report");
      assertEquals("t2", idx.reports.get(0).taskId());
      testKit.stop(s.client());
    }
  }

  @Test
  void searchOnlyClientFailsFastWhenTheIndexIsUnreachable() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    ActorRef<IndexClient.Command> c = testKit.spawn(IndexClient.create(
        IndexClient.Options.searchOnly("cli", new Endpoint("127.0.0.1", closedPort)).withBackoff(FAST), null));
    TestProbe<IndexClient.SearchReply> sp = testKit.createTestProbe();
    c.tell(new IndexClient.Search(SearchQuery.exact("nope"), sp.getRef()));
    IndexClient.SearchReply r = sp.receiveMessage(Duration.ofSeconds(20));
    assertFalse(r.ok());
    assertTrue(r.error().contains("cannot connect"), r.error());
    testKit.stop(c);
  }

  @Test
  void failsOverToTheNextIndexNodeInTheList() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    try (FakeIndex idx = FakeIndex.start()) {
      TestProbe<Catalog.Command> catalog = testKit.createTestProbe();
      IndexClient.Options o = IndexClient.Options.peer("peerF", new PeerAddress("peerF", "127.0.0.1", 7999),
          new Endpoint("127.0.0.1", closedPort), Duration.ofMillis(200)).withBackoff(FAST)
          .withFallbacks(List.of(new Endpoint("127.0.0.1", idx.port())));
      ActorRef<IndexClient.Command> c = testKit.spawn(IndexClient.create(o, catalog.getRef()));
      Catalog.Subscribe sub = catalog.expectMessageClass(Catalog.Subscribe.class);
      sub.subscriber().tell(new Catalog.Delta(Map.of("f.txt", new FileMeta(3L, SHA)), Set.of(), true));
      await(() -> idx.files.containsKey("peerF") && idx.files.get("peerF").containsKey("f.txt"),
          "registered with the second index node");
      TestProbe<IndexClient.StatusReply> st = testKit.createTestProbe();
      c.tell(new IndexClient.GetStatus(st.getRef()));
      assertEquals(idx.port(), st.receiveMessage().index().port());
      testKit.stop(c);
    }
  }
}
