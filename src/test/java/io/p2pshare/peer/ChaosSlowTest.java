package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, chaos at full size: an index and four peers, 200 downloads by real {@code get}
 * processes and 50 files to replicate (50 tasks, plus those the kills cause), while a seeded
 * monkey SIGKILLs a peer every 2-5 s (and now and then a {@code get}) and restarts it.
 * Figures go to stdout and {@code target/issue9/chaos.txt}.
 */
@Tag("slow")
class ChaosSlowTest {
  @Test
  void two_hundred_downloads_and_fifty_replications_under_sigkill(@TempDir Path tmp) throws Exception {
    long seed = Long.getLong("chaos.seed", System.currentTimeMillis());
    Chaos.Figures f = new Chaos(tmp, new Chaos.Plan(4, 50, 200, 10, 2, seed, 2000, 5000, 5000, 8, "4MB", 2)).run();
    Path out = Files.createDirectories(Path.of("target", "issue9"));
    Files.write(out.resolve("chaos.txt"), List.of(f.toString()));
    assertEquals(200, f.downloadsDone());
    assertTrue(f.replicas() >= 50, "every file copied by replication at least once: " + f);
    assertTrue(f.peerKills() >= 8, f.toString());
    assertEquals(2, f.indexKills(), f.toString());
  }
}
