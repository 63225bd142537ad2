package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class HotPathWarmupTest {
  private static long leftovers() throws Exception {
    Path shm = Path.of("/dev/shm");
    if (!Files.isDirectory(shm)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(shm)) {
      return s.filter(p -> p.getFileName().toString().startsWith("p2pshare-warmup")).count();
    }
  }

  @Test
  void runsTheCodecAndARealLoopbackBatchThenLeavesNothingBehind() throws Exception {
    long before = leftovers();
    HotPathWarmup w = HotPathWarmup.start();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!w.done() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(w.done(), "warm-up did not finish within 60 s");
    assertEquals(4000, w.rounds());
    if (Files.isDirectory(Path.of("/dev/shm"))) {
      // every made-up file went through the real fetch, verify and publish path
      assertEquals(300, w.published());
      assertEquals(4, w.piecesDone(), "every made-up piece went through the real read, write and hash path");
    }
    assertEquals(before, leftovers(), "the warm-up left files in /dev/shm");
    w.stop(); // idempotent after the end
  }

  @Test
  void stopEndsItPromptlyAndCleansUp() throws Exception {
    long before = leftovers();
    HotPathWarmup w = HotPathWarmup.start();
    long t0 = System.nanoTime();
    w.stop();
    assertTrue(w.done(), "still running after stop");
    assertTrue(w.rounds() < 4000 || w.published() < 300 || w.piecesDone() < 4, "stopped warm-up ran to its end anyway");
    assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
    assertEquals(before, leftovers());
  }
}
