package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, chaos (the small default variant of {@link ChaosSlowTest}): an index, three peers,
 * 16 downloads by real {@code get} processes and 9 replication tasks while peers are SIGKILLed
 * and restarted; everything verifies and the index matches the disks at the end.
 */
class ChaosIntegrationTest {
  @Test
  void peers_killed_during_downloads_and_replication_lose_nothing(@TempDir Path tmp) throws Exception {
    long seed = Long.getLong("chaos.seed", System.currentTimeMillis());
    Chaos.Figures f = new Chaos(tmp, new Chaos.Plan(3, 9, 16, 8, 2, seed, 1000, 2500, 2500, 2, "2MB", 0)).run();
    assertEquals(16, f.downloadsDone());
    assertTrue(f.replicationDone() >= 9, f.toString());
    assertTrue(f.replicas() >= 9, f.toString());
    assertTrue(f.peerKills() >= 2, "the monkey struck: " + f);
  }
}
