package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.DispatcherSelector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A download never starts for a name that could write outside its directory. */
class DownloadsNameCheckTest {
  static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void cleanup() {
    testKit.shutdownTestKit();
  }

  @Test
  void hostileNamesAreRefusedBeforeAnythingHappens(@TempDir Path tmp) throws Exception {
    TestProbe<IndexClient.Command> index = testKit.createTestProbe();
    Download.Deps deps = new Download.Deps(index.getRef(), null,
        new PieceTransfers(new SourcePool("t", 1, 1000), RateLimiter.UNLIMITED),
        testKit.system().dispatchers().lookup(DispatcherSelector.blocking()), "me", 4, 1 << 20,
        Duration.ofMinutes(5));
    ActorRef<Downloads.Command> d = testKit.spawn(Downloads.create(deps, 4));
    Path dir = Files.createDirectory(tmp.resolve("downloaded"));
    for (String bad : new String[] {"../escape.bin", "../../etc/x", "/etc/passwd", "a\\b", "x\u0000y", "..", "CON"}) {
      TestProbe<Download.Event> p = testKit.createTestProbe();
      d.tell(new Downloads.Start(Download.Request.obtain(bad, dir), p.getRef()));
      assertEquals("BAD_REQUEST", p.expectMessageClass(Download.Failed.class).code(), bad);
    }
    index.expectNoMessage(Duration.ofMillis(100)); // no search was even started
    assertFalse(Files.exists(tmp.resolve("escape.bin.part")));
  }
}
