package io.p2pshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.p2pshare.cli.StatusDiff.Snapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusDiffTest {
  private static Snapshot s(boolean connected, List<String> running, long done, long failed) {
    return new Snapshot("127.0.0.1:7000", connected, connected ? null : "Connection refused", running, done, failed);
  }

  @Test
  void firstLookIsOnlyTheBaseline() {
    assertEquals(List.of(), StatusDiff.diff(null, s(false, List.of(), 0, 0), true));
    assertEquals(List.of(), StatusDiff.diff(null, s(true, List.of("a"), 3, 0), true));
  }

  @Test
  void indexLostAndBack() {
    assertEquals(List.of("Index 127.0.0.1:7000 lost (Connection refused); reconnecting"),
        StatusDiff.diff(s(true, List.of(), 0, 0), s(false, List.of(), 0, 0), true));
    assertEquals(List.of("Index 127.0.0.1:7000 connected; files registered"),
        StatusDiff.diff(s(false, List.of(), 0, 0), s(true, List.of(), 0, 0), true));
    assertEquals(List.of(), StatusDiff.diff(s(true, List.of(), 0, 0), s(true, List.of(), 0, 0), true));
    assertEquals(List.of(), StatusDiff.diff(s(false, List.of(), 0, 0), s(true, List.of(), 0, 0), false),
        "the first registration after start is no news");
  }

  @Test
  void replicationsFinishedByName() {
    assertEquals(List.of("Replicated 'a.bin' into replicated/", "Replicated 'b.bin' into replicated/"),
        StatusDiff.diff(s(true, List.of("a.bin", "b.bin", "c.bin"), 1, 0), s(true, List.of("c.bin"), 3, 0), true));
    assertEquals(List.of("Replication failed for 'a.bin'"),
        StatusDiff.diff(s(true, List.of("a.bin"), 1, 0), s(true, List.of(), 1, 1), true));
  }

  @Test
  void replicationsTooQuickToSeeAreCounted() {
    assertEquals(List.of("Replication: 2 files copied into replicated/ (5 done in total)"),
        StatusDiff.diff(s(true, List.of(), 3, 0), s(true, List.of(), 5, 0), true));
    assertEquals(List.of("Replication: 1 file copied into replicated/, 1 failed (4 done in total)"),
        StatusDiff.diff(s(true, List.of(), 3, 0), s(true, List.of(), 4, 1), true));
  }
}
