package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.DispatcherSelector;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.transfer.Origin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloadsTest {
  static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void cleanup() {
    testKit.shutdownTestKit();
  }

  @Test
  void queuesBeyondTheLimitRefusesDuplicatesAndCancels(@TempDir Path tmp) {
    // The index never answers: downloads that search stay running until cancelled.
    TestProbe<IndexClient.Command> index = testKit.createTestProbe();
    Download.Deps deps = new Download.Deps(index.getRef(), null,
        new PieceTransfers(new SourcePool("t", 1, 1000), RateLimiter.UNLIMITED),
        testKit.system().dispatchers().lookup(DispatcherSelector.blocking()), "me", 4, 1 << 20,
        Duration.ofMinutes(5));
    ActorRef<Downloads.Command> d = testKit.spawn(Downloads.create(deps, 1));
    TestProbe<Download.Event> a = testKit.createTestProbe();
    TestProbe<Download.Event> b = testKit.createTestProbe();
    TestProbe<Download.Event> dup = testKit.createTestProbe();
    d.tell(new Downloads.Start(Download.Request.obtain("a.bin", tmp), a.getRef()));
    d.tell(new Downloads.Start(Download.Request.obtain("b.bin", tmp), b.getRef()));
    d.tell(new Downloads.Start(Download.Request.obtain("a.bin", tmp), dup.getRef()));
    assertEquals("BUSY", dup.expectMessageClass(Download.Failed.class).code());
    index.expectMessageClass(IndexClient.Search.class);
    index.expectNoMessage(Duration.ofMillis(200)); // limit 1: b waits

    TestProbe<Downloads.Active> list = testKit.createTestProbe();
    d.tell(new Downloads.ListActive(list.getRef()));
    List<Downloads.Item> items = list.receiveMessage().items();
    assertEquals(2, items.size());
    assertTrue(items.get(0).running());
    assertFalse(items.get(1).running());

    TestProbe<Boolean> ok = testKit.createTestProbe();
    d.tell(new Downloads.Cancel("b.bin", tmp, ok.getRef()));
    assertTrue(ok.receiveMessage());
    assertEquals("CANCELLED", b.expectMessageClass(Download.Failed.class).code());
    d.tell(new Downloads.Cancel("a.bin", tmp, ok.getRef()));
    assertTrue(ok.receiveMessage());
    assertEquals("CANCELLED", a.expectMessageClass(Download.Failed.class).code());
    d.tell(new Downloads.Cancel("zzz", tmp, ok.getRef()));
    assertFalse(ok.receiveMessage());
  }

  @Test
  void aFailingDownloadAnswersItsRequester(@TempDir Path tmp) {
    TestProbe<IndexClient.Command> index = testKit.createTestProbe();
    Download.Deps deps = new Download.Deps(index.getRef(), null,
        new PieceTransfers(new SourcePool("t", 1, 1000), RateLimiter.UNLIMITED),
        testKit.system().dispatchers().lookup(DispatcherSelector.blocking()), "me", 4, 1 << 20,
        Duration.ofSeconds(20));
    ActorRef<Downloads.Command> d = testKit.spawn(Downloads.create(deps, 2));
    TestProbe<Download.Event> p = testKit.createTestProbe();
    Download.Request r = new Download.Request("x.bin", tmp, Origin.DOWNLOADED, MessageType.OBTAIN_REQUEST,
        List.of(new PeerAddress("gone", "127.0.0.1", 1)), new FileMeta(10L, "ab".repeat(32)));
    d.tell(new Downloads.Start(r, p.getRef()));
    assertEquals("UNAVAILABLE", p.expectMessageClass(Download.Failed.class, Duration.ofSeconds(20)).code());
  }
}
