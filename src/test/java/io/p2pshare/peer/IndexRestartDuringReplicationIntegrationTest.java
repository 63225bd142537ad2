package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, fault tolerance: the index process is SIGKILLed while replication tasks are running
 * (uploads throttled to 1 MB/s so they are) and restarted on its port. The peers register again,
 * the new index schedules what is still missing, copies finishing for the old index's tasks do
 * no harm: at the end no task is queued or running, nothing is under-replicated, every replica
 * verifies, every .part has its record, and the index's counts equal the files on disk.
 */
class IndexRestartDuringReplicationIntegrationTest {
  @Test
  void index_killed_mid_replication_leaves_no_stuck_task_and_no_bad_file(@TempDir Path tmp) throws Exception {
    long seed = Long.getLong("chaos.seed", System.currentTimeMillis());
    Chaos.Figures f = new Chaos(tmp, new Chaos.Plan(3, 9, 0, 1, 1, seed, 400, 800, 1000, 0, "1MB", 1)).run();
    assertEquals(1, f.indexKills());
    assertEquals(1, f.indexKillsMidTask(), "killed while a task was running: " + f);
    assertTrue(f.replicas() >= 9, "every file copied by replication: " + f);
  }
}
