package io.p2pshare.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StrongScalingTest {
  @TempDir Path dir;

  private List<FileSpec> dataset() throws Exception {
    Path src = dir.resolve("src");
    SelfContained.generate(src, "peer1", new Workload.Counts(6, 0, 0));
    return Workload.files("peer1", new Workload.Counts(6, 0, 0),
        io.p2pshare.config.AppConfig.defaults().data().fileGeneration(), src);
  }

  /** Copies from the source dir; optionally flips a byte of one file, as a broken transfer would. */
  private Downloader.Factory copying(String corrupt) {
    Path src = dir.resolve("src");
    return () -> (file, out) -> {
      byte[] b = Files.readAllBytes(src.resolve(file.name()));
      if (file.name().equals(corrupt)) {
        b[0] ^= 1;
      }
      return Files.write(out.resolve(file.name()), b);
    };
  }

  private BenchRun run(Downloader.Factory f, List<Integer> levels) throws Exception {
    StrongScaling s = new StrongScaling(new StrongScaling.Params(levels, dir.resolve("work"), "copy"),
        dataset(), f, Map.of("kb", 6), new PrintStream(new ByteArrayOutputStream(), true));
    return s.run("test");
  }

  @Test
  void everyLevelMovesTheWholeWorkloadAndVerifiesIt() throws Exception {
    BenchRun run = run(copying(null), List.of(1, 2, 4));
    assertEquals(3, run.levels().size());
    for (Object o : run.levels()) {
      StrongLevel l = (StrongLevel) o;
      assertEquals(6, l.files());
      assertEquals(6 * 1024, l.bytes());
      assertEquals(0, l.verificationFailures());
      assertEquals(0, l.errors());
      assertEquals(6, l.latencyMs().count());
      assertEquals(6, l.latencyMsBySizeClass().get("kb").count());
      assertTrue(l.throughputBytesPerSecond() > 0);
    }
    assertEquals(6L * 1024, run.parameters().get("bytes"));
    assertTrue(Files.list(dir.resolve("work")).findAny().isEmpty(), "downloads are removed at the end of the run");
  }

  @Test
  void noLevelDeletesFilesWhileLaterLevelsRun() throws Exception {
    // Deleting right before creating many files is slow on this machine's ext4: every level
    // writes into its own directory and earlier levels' files stay until the run ends.
    java.util.Set<Path> dirsSeen = new java.util.concurrent.ConcurrentSkipListSet<>();
    java.util.concurrent.atomic.AtomicInteger missing = new java.util.concurrent.atomic.AtomicInteger();
    Downloader.Factory copy = copying(null);
    Downloader.Factory watching = () -> {
      Downloader d = copy.open();
      return (file, out) -> {
        dirsSeen.add(out);
        for (Path earlier : dirsSeen) {
          if (!Files.isDirectory(earlier) || Files.list(earlier).findAny().isEmpty() && !earlier.equals(out)) {
            missing.incrementAndGet();
          }
        }
        return d.download(file, out);
      };
    };
    StrongScaling s = new StrongScaling(new StrongScaling.Params(List.of(1, 2, 4), dir.resolve("work"), "copy", 12),
        dataset(), watching, Map.of("kb", 6), new PrintStream(new ByteArrayOutputStream(), true));
    s.run("test");
    assertEquals(5, dirsSeen.size(), "two warm-up passes and three levels, each in its own directory");
    assertEquals(0, missing.get(), "an earlier level's files were deleted during the run");
    assertTrue(Files.list(dir.resolve("work")).findAny().isEmpty(), "everything is removed at the end");
  }

  @Test
  void aCorruptFileIsAVerificationFailureAndAThrowingDownloadAnError() throws Exception {
    StrongLevel corrupt = (StrongLevel) run(copying("peer1_kb_0002.txt"), List.of(2)).levels().get(0);
    assertEquals(1, corrupt.verificationFailures());

    Downloader.Factory failing = () -> (file, out) -> {
      throw new java.io.IOException("peer gone");
    };
    StrongLevel failed = (StrongLevel) run(failing, List.of(1)).levels().get(0);
    assertEquals(6, failed.errors());
    assertEquals(0, failed.bytes());
  }

  @Test
  void aRepeatedLevelKeepsTheMedianRunAndCountsEveryRunsFailures() throws Exception {
    // Three runs per level; the second run of the level corrupts one file.
    java.util.Set<Path> runDirs = new java.util.concurrent.ConcurrentSkipListSet<>();
    Downloader.Factory copy = copying(null);
    Downloader.Factory corruptInSecondRun = () -> {
      Downloader d = copy.open();
      return (file, out) -> {
        runDirs.add(out);
        Path p = d.download(file, out);
        if (runDirs.size() == 2 && file.name().equals("peer1_kb_0003.txt")) {
          byte[] b = Files.readAllBytes(p);
          b[0] ^= 1;
          Files.write(p, b);
        }
        return p;
      };
    };
    StrongScaling s = new StrongScaling(new StrongScaling.Params(List.of(2), dir.resolve("work"), "copy", 0, 3),
        dataset(), corruptInSecondRun, Map.of("kb", 6), new PrintStream(new ByteArrayOutputStream(), true));
    BenchRun run = s.run("test");
    assertEquals(3, runDirs.size(), "three runs, each in its own directory");
    StrongLevel l = (StrongLevel) run.levels().get(0);
    assertEquals(3, l.runSeconds().size());
    List<Double> sorted = l.runSeconds().stream().sorted().toList();
    assertEquals(sorted.get(1), l.seconds(), "the kept run is the median one");
    assertEquals(1, l.verificationFailures(), "a failure in a run that is not kept still counts");
    assertEquals(3, run.parameters().get("repeat"));
  }

  @Test
  void aRunCanLeaveItsDownloadsForTheCallerToRemoveLater() throws Exception {
    StrongScaling s = new StrongScaling(new StrongScaling.Params(List.of(1, 2), dir.resolve("work"), "copy", 6),
        dataset(), copying(null), Map.of("kb", 6), new PrintStream(new ByteArrayOutputStream(), true));
    List<Path> left = new java.util.ArrayList<>();
    s.run("test", left);
    assertEquals(3, left.size(), "the warm-up pass and two levels");
    for (Path p : left) {
      assertEquals(6, Files.list(p).count(), p + " still holds its downloads");
    }
    StrongScaling.deleteAll(left);
    assertTrue(Files.list(dir.resolve("work")).findAny().isEmpty());
  }
}
