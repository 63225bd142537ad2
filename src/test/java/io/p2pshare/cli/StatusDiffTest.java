package io.p2pshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.p2pshare.cli.StatusDiff.Snapshot;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusDiffTest {
  private static final long S = 1_000_000_000L;
  private final StatusDiff diff = new StatusDiff(Duration.ofSeconds(30));

  private static Snapshot s(boolean connected, List<String> running, int queued, long done, long failed) {
    return new Snapshot("127.0.0.1:7000", connected, connected ? null : "Connection refused", running,
        queued, done, failed);
  }

  private static Snapshot up(List<String> running, int queued, long done) {
    return s(true, running, queued, done, 0);
  }

  @Test
  void firstLookIsOnlyTheBaseline() {
    assertEquals(List.of(), diff.next(s(false, List.of("a"), 0, 3, 0), 0, true));
  }

  @Test
  void indexLostAndBack() {
    diff.next(up(List.of(), 0, 0), 0, true);
    assertEquals(List.of("Index 127.0.0.1:7000 lost (Connection refused); reconnecting"),
        diff.next(s(false, List.of(), 0, 0, 0), S, true));
    assertEquals(List.of("Index 127.0.0.1:7000 connected; files registered"),
        diff.next(up(List.of(), 0, 0), 2 * S, true));
    assertEquals(List.of(), diff.next(up(List.of(), 0, 0), 3 * S, true));
  }

  @Test
  void theFirstRegistrationAfterStartIsNoNews() {
    diff.next(s(false, List.of(), 0, 0, 0), 0, false);
    assertEquals(List.of(), diff.next(up(List.of(), 0, 0), S, false));
  }

  @Test
  void aFewReplicationsAreNamedWhenTheWorkerIsIdle() {
    diff.next(up(List.of("a.bin", "b.bin"), 0, 0), 0, true);
    assertEquals(List.of(), diff.next(up(List.of("b.bin"), 0, 1), S, true), "still busy: wait");
    assertEquals(List.of("Replicated 'a.bin' into replicated/", "Replicated 'b.bin' into replicated/"),
        diff.next(up(List.of(), 0, 2), 2 * S, true));
    assertEquals(List.of(), diff.next(up(List.of(), 0, 2), 3 * S, true));
  }

  @Test
  void aFailureIsNamed() {
    diff.next(up(List.of("a.bin"), 0, 1), 0, true);
    assertEquals(List.of("Replication failed for 'a.bin'"), diff.next(s(true, List.of(), 0, 1, 1), S, true));
  }

  @Test
  void aBurstIsOneLineAtTheEndAndOneEveryThirtySecondsWhileBusy() {
    diff.next(up(List.of("x"), 500, 0), 0, true);
    assertEquals(List.of(), diff.next(up(List.of("y"), 400, 100), 10 * S, true));
    assertEquals(List.of(), diff.next(up(List.of("z"), 300, 200), 29 * S, true));
    assertEquals(List.of("Replication: 300 files copied into replicated/ so far, 201 to go"),
        diff.next(up(List.of("w"), 200, 300), 41 * S, true)); // 30 s after the burst's first copy
    assertEquals(List.of("Replication: 201 files copied into replicated/, 1 failed (501 done in total)"),
        diff.next(s(true, List.of(), 0, 501, 1), 50 * S, true));
  }

  @Test
  void tasksTooQuickToSeeRunningAreCounted() {
    diff.next(up(List.of(), 0, 3), 0, true);
    assertEquals(List.of("Replication: 2 files copied into replicated/ (5 done in total)"),
        diff.next(up(List.of(), 0, 5), S, true));
  }
}
