package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.DispatcherSelector;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.protocol.ReplicationTask;
import io.p2pshare.testing.FakeTransferServer;
import io.p2pshare.transfer.FileEntry;
import io.p2pshare.transfer.Origin;
import io.p2pshare.transfer.PieceHasher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicationWorkerTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final SourcePool POOL = new SourcePool("rw", 4, 20_000);

  @AfterAll
  static void cleanup() {
    POOL.close();
    testKit.shutdownTestKit();
  }

  private record Rig(TestProbe<IndexClient.Command> index, TestProbe<Catalog.Command> catalog,
      ActorRef<ReplicationWorker.Command> worker, ActorRef<IndexClient.Tasks> tasks) {}

  private Rig rig(Path replicated, int max) {
    TestProbe<IndexClient.Command> index = testKit.createTestProbe();
    TestProbe<Catalog.Command> catalog = testKit.createTestProbe();
    Download.Deps deps = new Download.Deps(index.getRef(), catalog.getRef(),
        new PieceTransfers(POOL, RateLimiter.UNLIMITED),
        testKit.system().dispatchers().lookup(DispatcherSelector.blocking()), "me", 4, 1 << 20,
        Duration.ofSeconds(20));
    ActorRef<Downloads.Command> downloads = testKit.spawn(Downloads.create(deps, 4));
    ActorRef<ReplicationWorker.Command> w = testKit.spawn(ReplicationWorker.create(
        index.getRef(), catalog.getRef(), downloads, replicated, max));
    IndexClient.SubscribeTasks sub = index.expectMessageClass(IndexClient.SubscribeTasks.class);
    return new Rig(index, catalog, w, sub.subscriber());
  }

  private static ReplicationTask task(String id, String name, String sha, PeerAddress src) {
    return new ReplicationTask(id, name, 1L, sha, src);
  }

  @Test
  void aFileAlreadyHeldIsReportedDoneAtOnce(@TempDir Path tmp) {
    Rig r = rig(tmp, 2);
    r.tasks().tell(new IndexClient.Tasks(List.of(task("t1", "have.txt", "aa", null))));
    Catalog.Lookup l = r.catalog().expectMessageClass(Catalog.Lookup.class);
    l.replyTo().tell(new Catalog.Found(Optional.of(new FileEntry("have.txt", tmp, Origin.SHARED, 1, 0,
        "AA", 1, List.of("aa")))));
    IndexClient.Report rep = r.index().expectMessageClass(IndexClient.Report.class);
    assertEquals("t1", rep.taskId());
    assertEquals("done", rep.status());
    r.tasks().tell(new IndexClient.Tasks(List.of(task("t1", "have.txt", "aa", null))));
    r.catalog().expectNoMessage(Duration.ofMillis(200)); // a task id seen before is ignored
  }

  @Test
  void copiesIntoReplicatedReportsDoneAndTheCatalogAnnouncesIt(@TempDir Path tmp) throws Exception {
    Path src = tmp.resolve("src");
    Files.createDirectories(src);
    Path f = Files.writeString(src.resolve("copy.txt"), "replicate me");
    String sha = PieceHasher.hash(f, 1 << 20).sha256();
    try (FakeTransferServer s = new FakeTransferServer("p2", src, 1 << 20)) {
      Rig r = rig(tmp.resolve("replicated"), 2);
      r.tasks().tell(new IndexClient.Tasks(List.of(
          new ReplicationTask("t2", "copy.txt", Files.size(f), sha, s.address()))));
      r.catalog().expectMessageClass(Catalog.Lookup.class).replyTo().tell(new Catalog.Found(Optional.empty()));
      Catalog.AddKnown added = r.catalog().expectMessageClass(Catalog.AddKnown.class, Duration.ofSeconds(20));
      assertEquals(Origin.REPLICATED, added.entry().origin());
      IndexClient.Report rep = r.index().expectMessageClass(IndexClient.Report.class, Duration.ofSeconds(20));
      assertEquals("done", rep.status());
      assertEquals("replicate me", Files.readString(tmp.resolve("replicated/copy.txt")));
      assertEquals(1, s.requests.get());
    }
  }

  @Test
  void concurrencyIsBoundedAndFailuresAreReported(@TempDir Path tmp) throws Exception {
    Rig r = rig(tmp, 2);
    PeerAddress dead = new PeerAddress("dead", "127.0.0.1", 1);
    r.tasks().tell(new IndexClient.Tasks(List.of(task("a", "a.bin", "aa", dead),
        task("b", "b.bin", "bb", dead), task("c", "c.bin", "cc", dead))));
    Catalog.Lookup first = r.catalog().expectMessageClass(Catalog.Lookup.class);
    r.catalog().expectMessageClass(Catalog.Lookup.class);
    r.catalog().expectNoMessage(Duration.ofMillis(300)); // the third waits for a free slot
    ActorRef<ReplicationWorker.Command> w = r.worker();
    TestProbe<ReplicationWorker.Status> st = testKit.createTestProbe();
    w.tell(new ReplicationWorker.GetStatus(st.getRef()));
    ReplicationWorker.Status status = st.receiveMessage();
    assertEquals(2, status.running().size());
    assertEquals(List.of("c.bin"), status.queued());
    first.replyTo().tell(new Catalog.Found(Optional.empty()));
    // The named source is dead: the worker asks the index for any other holder, there is none.
    IndexClient.Search search = r.index().expectMessageClass(IndexClient.Search.class, Duration.ofSeconds(20));
    search.replyTo().tell(new IndexClient.SearchReply(new io.p2pshare.protocol.SearchResponse(
        "ok", search.query().fileName(), List.of(), null), null));
    IndexClient.Report rep = r.index().expectMessageClass(IndexClient.Report.class, Duration.ofSeconds(20));
    assertEquals("failed", rep.status());
    assertNotNull(rep.error());
    assertEquals("c.bin", r.catalog().expectMessageClass(Catalog.Lookup.class, Duration.ofSeconds(20)).name());
  }
}
