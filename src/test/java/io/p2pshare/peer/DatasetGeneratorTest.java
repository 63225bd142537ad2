package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.*;

import io.p2pshare.cli.Main;
import io.p2pshare.config.AppConfig;
import io.p2pshare.transfer.PieceHasher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetGeneratorTest {
  private static final AppConfig.FileGeneration GEN = new AppConfig.FileGeneration(
      new AppConfig.SizeClass(3, 1024L), new AppConfig.SizeClass(2, 100_000L),
      new AppConfig.SizeClass(1, 300_000L), 8192, null, 7L);

  @Test
  void namesFollowTheReferencePattern() {
    List<DatasetGenerator.Spec> specs = DatasetGenerator.plan("peer2", List.of("kb", "mb", "gb"), GEN);
    assertEquals(List.of("peer2_kb_0001.txt", "peer2_kb_0002.txt", "peer2_kb_0003.txt",
        "peer2_mb_0001.bin", "peer2_mb_0002.bin", "peer2_gb_0001.bin"),
        specs.stream().map(DatasetGenerator.Spec::name).toList());
    assertThrows(IllegalArgumentException.class,
        () -> DatasetGenerator.plan("p", List.of("tb"), GEN));
  }

  @Test
  void contentIsRandomDeterministicAndDistinctPerFile(@TempDir Path a, @TempDir Path b) throws Exception {
    List<DatasetGenerator.Spec> specs = DatasetGenerator.plan("peer1", List.of("kb", "mb"), GEN);
    DatasetGenerator.generate(a, specs, 7L, 8192, l -> {});
    DatasetGenerator.generate(b, specs, 7L, 8192, l -> {});
    for (DatasetGenerator.Spec s : specs) {
      Path f = a.resolve(s.name());
      assertEquals(s.size(), Files.size(f));
      assertEquals(sha(f), sha(b.resolve(s.name())), "same seed, same bytes");
      assertFalse(Files.exists(a.resolve(s.name() + ".part")));
    }
    assertNotEquals(sha(a.resolve("peer1_mb_0001.bin")), sha(a.resolve("peer1_mb_0002.bin")));
    byte[] bin = Files.readAllBytes(a.resolve("peer1_mb_0001.bin"));
    long zeros = 0;
    for (byte x : bin) {
      zeros += x == 0 ? 1 : 0;
    }
    assertTrue(zeros < bin.length / 100, "not zeros: " + zeros);
    String txt = Files.readString(a.resolve("peer1_kb_0001.txt"));
    assertTrue(txt.chars().allMatch(c -> c == '\n' || (c >= 32 && c < 127)), "printable text");
  }

  @Test
  void existingFilesOfTheRightSizeAreSkipped(@TempDir Path dir) throws Exception {
    List<DatasetGenerator.Spec> specs = DatasetGenerator.plan("peer1", List.of("kb"), GEN);
    Files.writeString(dir.resolve("peer1_kb_0001.txt"), "x".repeat(1024));
    Files.writeString(dir.resolve("peer1_kb_0002.txt"), "short");
    DatasetGenerator.Result r = DatasetGenerator.generate(dir, specs, 7L, 8192, l -> {});
    assertEquals(1, r.skipped());
    assertEquals(2, r.written());
    assertEquals("x".repeat(1024), Files.readString(dir.resolve("peer1_kb_0001.txt")));
    assertEquals(1024, Files.size(dir.resolve("peer1_kb_0002.txt")));
  }

  @Test
  void commandWritesIntoThePeersSharedDir(@TempDir Path tmp) throws Exception {
    Path cfg = tmp.resolve("c.json");
    Files.writeString(cfg, "{\"data\":{\"file_generation\":{\"kb\":{\"count\":4,\"size_bytes\":1024},"
        + "\"mb\":{\"count\":1,\"size_bytes\":2048},\"gb\":{\"count\":0}}}}");
    int rc = Main.commandLine().execute("generate", "--peer", "peer9", "--sizes", "kb,mb",
        "--config", cfg.toString(), "--data-dir", tmp.toString());
    assertEquals(0, rc);
    try (var files = Files.list(tmp.resolve("peer9/shared"))) {
      assertEquals(5, files.count());
    }
    assertEquals(2048, Files.size(tmp.resolve("peer9/shared/peer9_mb_0001.bin")));
    assertEquals(2, Main.commandLine().execute("generate", "--peer", "peer9", "--sizes", "tb",
        "--config", cfg.toString(), "--data-dir", tmp.toString()));
  }

  private static String sha(Path p) throws Exception {
    return PieceHasher.hash(p, PieceHasher.DEFAULT_PIECE_SIZE).sha256();
  }
}
