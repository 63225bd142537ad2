package io.p2pshare.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pshare.config.AppConfig;
import io.p2pshare.config.ConfigLoader;
import io.p2pshare.config.Endpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfContainedTest {
  @TempDir Path dir;

  @Test
  void configPutsTheIndexAndThePeerOnTheChosenPortsAndDirs() {
    AppConfig cfg = ConfigLoader.parse(SelfContained.config(dir, "peer3",
        new Endpoint("127.0.0.1", 41000), 41010, new Workload.Counts(5, 2, 0)), "test");
    assertEquals(41000, cfg.server().port());
    // peer3 serves on base_port + 3 - 1
    assertEquals(41010, cfg.peer().basePort() + 2);
    assertEquals(dir.resolve("peer3").toString() + "/shared", cfg.data().peers().get("peer3").sharedDir());
    assertEquals(5, cfg.data().fileGeneration().kb().count());
    assertEquals(0, cfg.data().fileGeneration().gb().count());
  }

  @Test
  void datasetAndWorkloadAgreeOnNamesSizesAndHashes() throws Exception {
    Workload.Counts counts = new Workload.Counts(3, 1, 0);
    SelfContained.generate(dir, "peer1", counts);
    AppConfig.FileGeneration gen = AppConfig.defaults().data().fileGeneration();
    List<FileSpec> files = Workload.files("peer1", counts, gen, dir);
    assertEquals(List.of("peer1_kb_0001.txt", "peer1_kb_0002.txt", "peer1_kb_0003.txt",
        "peer1_mb_0001.bin"), files.stream().map(FileSpec::name).toList());
    assertEquals(1024 * 1024, files.get(3).size());
    for (FileSpec f : files) {
      assertTrue(Files.isRegularFile(dir.resolve(f.name())));
      assertEquals(StrongScaling.sha256(dir.resolve(f.name())), f.sha256());
    }
  }
}
