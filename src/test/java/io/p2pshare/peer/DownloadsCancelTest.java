package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.DispatcherSelector;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.testing.FakeTransferServer;
import io.p2pshare.transfer.Origin;
import io.p2pshare.transfer.PieceHasher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cancel (the shell's Ctrl-C and {@code cancel <name>}) stops a download without a final file. */
class DownloadsCancelTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final long PIECE = 64 * 1024;
  static final SourcePool POOL = new SourcePool("cancel-test", 8, 20_000);

  @AfterAll
  static void cleanup() {
    POOL.close();
    testKit.shutdownTestKit();
  }

  private static Path file(Path dir, String name, int size) throws Exception {
    byte[] b = new byte[size];
    new Random(size).nextBytes(b);
    Files.createDirectories(dir);
    return Files.write(dir.resolve(name), b);
  }

  /** Slow on purpose (64 KiB/s for 2 MiB): the cancel always lands mid-download. */
  private ActorRef<Downloads.Command> downloads(int concurrent) {
    Download.Deps deps = new Download.Deps(null, null, new PieceTransfers(POOL, new RateLimiter(64 * 1024)),
        testKit.system().dispatchers().lookup(DispatcherSelector.blocking()), "me", 1, PIECE,
        Duration.ofSeconds(20));
    return testKit.spawn(Downloads.create(deps, concurrent));
  }

  private static Download.Request req(String name, Path out, Path src, FakeTransferServer s) throws Exception {
    FileMeta m = new FileMeta(Files.size(src), PieceHasher.hash(src, PIECE).sha256());
    return new Download.Request(name, out, Origin.DOWNLOADED, MessageType.OBTAIN_REQUEST, List.of(s.address()), m);
  }

  /** Polls, generously, until no download is listed as active. */
  private static void awaitNoneActive(ActorRef<Downloads.Command> d) {
    TestProbe<Downloads.Active> active = testKit.createTestProbe();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    List<Downloads.Item> items;
    do {
      d.tell(new Downloads.ListActive(active.getRef()));
      items = active.receiveMessage(Duration.ofSeconds(30)).items();
    } while (!items.isEmpty() && System.nanoTime() < deadline);
    assertEquals(List.of(), items);
  }

  @Test
  void cancellingARunningDownloadLeavesNoFileUnderItsName(@TempDir Path tmp) throws Exception {
    Path src = file(tmp.resolve("src"), "big.bin", 2 * 1024 * 1024);
    Path out = tmp.resolve("out");
    try (FakeTransferServer s = new FakeTransferServer("p2", tmp.resolve("src"), PIECE)) {
      ActorRef<Downloads.Command> d = downloads(2);
      TestProbe<Download.Event> events = testKit.createTestProbe();
      d.tell(new Downloads.Start(req("big.bin", out, src, s), events.getRef()));
      events.expectMessageClass(Download.Progress.class, Duration.ofSeconds(30));
      TestProbe<Boolean> answer = testKit.createTestProbe();
      d.tell(new Downloads.Cancel("big.bin", out, answer.getRef()));
      assertTrue(answer.receiveMessage(Duration.ofSeconds(30)));
      Download.Event e;
      do {
        e = events.receiveMessage(Duration.ofSeconds(30));
      } while (e instanceof Download.Progress);
      assertEquals("CANCELLED", assertInstanceOf(Download.Failed.class, e).code());
      events.expectNoMessage(Duration.ofMillis(300));
      assertFalse(Files.exists(out.resolve("big.bin")));

      awaitNoneActive(d); // the entry goes once the child has stopped
      d.tell(new Downloads.Cancel("big.bin", out, answer.getRef()));
      assertFalse(answer.receiveMessage(Duration.ofSeconds(30)), "nothing left to cancel");
    }
  }

  @Test
  void cancellingAQueuedDownloadAnswersAtOnceAndLeavesTheRunningOne(@TempDir Path tmp) throws Exception {
    Path a = file(tmp.resolve("src"), "a.bin", 2 * 1024 * 1024);
    Path b = file(tmp.resolve("src"), "b.bin", 1024);
    Path out = tmp.resolve("out");
    try (FakeTransferServer s = new FakeTransferServer("p2", tmp.resolve("src"), PIECE)) {
      ActorRef<Downloads.Command> d = downloads(1);
      TestProbe<Download.Event> ea = testKit.createTestProbe();
      TestProbe<Download.Event> eb = testKit.createTestProbe();
      d.tell(new Downloads.Start(req("a.bin", out, a, s), ea.getRef()));
      d.tell(new Downloads.Start(req("b.bin", out, b, s), eb.getRef()));
      TestProbe<Boolean> answer = testKit.createTestProbe();
      d.tell(new Downloads.Cancel("b.bin", out, answer.getRef()));
      assertTrue(answer.receiveMessage(Duration.ofSeconds(30)));
      assertEquals("CANCELLED", eb.expectMessageClass(Download.Failed.class, Duration.ofSeconds(30)).code());
      d.tell(new Downloads.Cancel("a.bin", out, answer.getRef()));
      assertTrue(answer.receiveMessage(Duration.ofSeconds(30)));
      awaitNoneActive(d); // until the child has stopped (and cut its transfer) it may still write
      assertFalse(Files.exists(out.resolve("b.bin")));
      assertFalse(Files.exists(out.resolve("a.bin")));
    }
  }
}
