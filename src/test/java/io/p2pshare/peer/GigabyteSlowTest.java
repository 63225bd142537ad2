package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.p2pshare.protocol.Wire;
import io.p2pshare.testing.IndexProcess;
import io.p2pshare.testing.JavaProcess;
import io.p2pshare.testing.PeerProcess;
import io.p2pshare.transfer.PieceHasher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 1 GiB from a real peer to a real get, both with -Xmx128m: constant memory end to end. */
@Tag("slow")
class GigabyteSlowTest {
  @Test
  void oneGibibyteWithSmallHeapsOnBothEnds(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    Path src = PeerProcessIntegrationTest.random(data.resolve("peer1/shared"), "g_1g.bin", 1L << 30, 5);
    String sha = PieceHasher.hash(src, 4L << 20).sha256();
    try (IndexProcess index = new IndexProcess(tmp.resolve("index"),
            "{\"replication\": {\"replication_factor\": 1}}").start();
        PeerProcess p1 = new PeerProcess("peer1", data, index.address(), tmp.resolve("logs"),
            List.of("-Xmx128m"))) {
      p1.awaitStarted();
      IndexClientTest.await(() -> IndexRestartIntegrationTest.holders(index.address(), "g_1g.bin") == 1,
          "registered");
      Process get = JavaProcess.start(tmp.resolve("get.out"), tmp.resolve("get.err"), List.of("-Xmx128m"),
          "get", "g_1g.bin", "--index", index.address(), "--out", tmp.resolve("out").toString(), "--json");
      assertTrue(get.waitFor(600, TimeUnit.SECONDS));
      assertEquals(0, get.exitValue(), Files.readString(tmp.resolve("get.err")));
      JsonNode doc = Wire.MAPPER.readTree(Files.readString(tmp.resolve("get.out")));
      System.out.println("1 GiB get with -Xmx128m: " + doc.get("seconds") + " s, "
          + doc.get("bytes_per_second").asDouble() / (1 << 20) + " MiB/s");
      assertEquals(sha, doc.get("files").get(0).get("sha256").asText());
      assertEquals(sha, PieceHasher.hash(tmp.resolve("out/g_1g.bin"), 4L << 20).sha256());
    }
  }
}
