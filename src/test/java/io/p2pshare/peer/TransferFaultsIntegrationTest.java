package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pshare.protocol.FileMeta;
import io.p2pshare.testing.FakeIndex;
import io.p2pshare.testing.FakeTransferServer;
import io.p2pshare.testing.ResetProxy;
import io.p2pshare.transfer.PieceHasher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, faults under a real {@code get} process: a connection reset (RST) in the middle of a
 * body, and a disk that fills up while writing (a tiny tmpfs). Either way nothing lands under a
 * final name unless it verifies, every .part left behind has its .resume record, and once the
 * fault is gone the download completes and verifies.
 */
class TransferFaultsIntegrationTest {
  static final long PIECE = 1L << 20;

  @Test
  void aConnectionResetMidBodyNeverLeavesABadFileAndTheDownloadCompletes(@TempDir Path tmp) throws Exception {
    Path src = tmp.resolve("src");
    Path big = PeerProcessIntegrationTest.random(src, "r_big.bin", 12L << 20, 31);
    Path small = PeerProcessIntegrationTest.random(src, "r_small.bin", 700_000, 32);
    Path dest = tmp.resolve("dest");
    try (FakeIndex idx = FakeIndex.start();
        FakeTransferServer s = new FakeTransferServer("holder", src, PIECE);
        ResetProxy proxy = new ResetProxy(s.address().port(), 5L << 20)) {
      idx.peers.put("holder", proxy.address("holder"));
      idx.files.put("holder", new ConcurrentHashMap<>(Map.of(
          "r_big.bin", meta(big), "r_small.bin", meta(small))));
      String index = "127.0.0.1:" + idx.port();
      PeerProcessIntegrationTest.Run first = PeerProcessIntegrationTest.cli(tmp, "get1", "get",
          "r_big.bin", "r_small.bin", "--index", index, "--out", dest.toString(), "--json");
      assertEquals(1, proxy.resets.get(), "the proxy reset one connection mid-body");
      assertClean(dest, Map.of("r_big.bin", big, "r_small.bin", small));
      System.out.println("reset: first get exit " + first.code() + ": " + first.err().strip());
      if (first.code() != 0) {
        assertTrue(first.err().contains("error"), "a failure says so: " + first.err());
        PeerProcessIntegrationTest.Run again = PeerProcessIntegrationTest.cli(tmp, "get2", "get",
            "r_big.bin", "r_small.bin", "--index", index, "--out", dest.toString(), "--json");
        assertEquals(0, again.code(), again.err());
      }
      assertComplete(dest, Map.of("r_big.bin", big, "r_small.bin", small));
    }
  }

  @Test
  void aFullDiskFailsCleanlyAndTheDownloadCompletesOnceThereIsRoom(@TempDir Path tmp) throws Exception {
    Path mnt = Files.createDirectories(tmp.resolve("tiny"));
    Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", mnt.toString()) == 0,
        "skipped: needs root and a tmpfs mount to simulate a full disk");
    try {
      Path src = tmp.resolve("src");
      Path big = PeerProcessIntegrationTest.random(src, "d_big.bin", 8L << 20, 41);
      Path small = PeerProcessIntegrationTest.random(src, "d_small.bin", 700_000, 42);
      Map<String, Path> both = Map.of("d_big.bin", big, "d_small.bin", small);
      Path dest = mnt.resolve("dl");
      try (FakeIndex idx = FakeIndex.start(); FakeTransferServer s = new FakeTransferServer("holder", src, PIECE)) {
        idx.peers.put("holder", s.address());
        idx.files.put("holder", new ConcurrentHashMap<>(Map.of("d_big.bin", meta(big), "d_small.bin", meta(small))));
        String index = "127.0.0.1:" + idx.port();

        // 1. Not even the small file fits (it is written in one go, the "small file" path).
        Path filler = fill(mnt, (12L << 20) - 256 * 1024);
        PeerProcessIntegrationTest.Run r1 = PeerProcessIntegrationTest.cli(tmp, "full1", "get",
            "d_small.bin", "--index", index, "--out", dest.toString(), "--json");
        assertEquals(1, r1.code(), "a full disk is a failure: " + r1.out());
        assertClean(dest, both);
        assertFalse(Files.exists(dest.resolve("d_small.bin")));

        // 2. Half of the big one fits (the piece-by-piece path).
        Files.delete(filler);
        filler = fill(mnt, 8L << 20);
        PeerProcessIntegrationTest.Run r2 = PeerProcessIntegrationTest.cli(tmp, "full2", "get",
            "d_big.bin", "--index", index, "--out", dest.toString(), "--json");
        assertEquals(1, r2.code(), "a full disk is a failure: " + r2.out());
        assertTrue(r2.err().contains("error"), r2.err());
        assertClean(dest, both);
        assertFalse(Files.exists(dest.resolve("d_big.bin")));

        // 3. Room again: both arrive and verify, nothing is left over.
        Files.delete(filler);
        PeerProcessIntegrationTest.Run r3 = PeerProcessIntegrationTest.cli(tmp, "full3", "get",
            "d_big.bin", "d_small.bin", "--index", index, "--out", dest.toString(), "--json");
        assertEquals(0, r3.code(), r3.err());
        assertComplete(dest, both);
        System.out.println("disk-full: first errors: " + r1.err().strip() + " | " + r2.err().strip()
            + "; then " + r3.out().strip());
      }
    } finally {
      run("umount", "-l", mnt.toString());
    }
  }

  /** A final name holds only verified bytes; every .part has its .resume record. */
  static void assertClean(Path dir, Map<String, Path> sources) throws Exception {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) {
        String name = p.getFileName().toString();
        if (name.endsWith(".part")) {
          String base = name.substring(0, name.length() - 5);
          assertTrue(Files.exists(dir.resolve(base + ".resume")), p + " has no .resume record");
        } else if (sources.containsKey(name)) {
          assertEquals(sha(sources.get(name)), sha(p), p + " under its final name must verify");
        }
      }
    }
  }

  static void assertComplete(Path dir, Map<String, Path> sources) throws Exception {
    for (Map.Entry<String, Path> e : sources.entrySet()) {
      assertEquals(sha(e.getValue()), sha(dir.resolve(e.getKey())), e.getKey());
      assertFalse(Files.exists(dir.resolve(e.getKey() + ".part")));
      assertFalse(Files.exists(dir.resolve(e.getKey() + ".resume")));
    }
  }

  private static FileMeta meta(Path f) throws IOException {
    return new FileMeta(Files.size(f), sha(f));
  }

  private static String sha(Path f) throws IOException {
    return PieceHasher.hash(f, PIECE).sha256();
  }

  private static Path fill(Path dir, long bytes) throws IOException {
    return fill(dir, "filler", bytes);
  }

  static Path fill(Path dir, String name, long bytes) throws IOException {
    Path f = dir.resolve(name);
    byte[] chunk = new byte[64 * 1024];
    try (var out = Files.newOutputStream(f)) {
      for (long left = bytes; left > 0; left -= chunk.length) {
        out.write(chunk, 0, (int) Math.min(chunk.length, left));
      }
    }
    return f;
  }

  static int run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
  }
}
