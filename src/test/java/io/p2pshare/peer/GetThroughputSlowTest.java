package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.Wire;
import io.p2pshare.testing.FakeIndex;
import io.p2pshare.testing.FakeTransferServer;
import io.p2pshare.transfer.PieceHasher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rough files/s of get --match on 1,000 × 1 KiB against fakes (a benchmark aid, not a gate). */
@Tag("slow")
class GetThroughputSlowTest {
  @Test
  void thousandSmallFiles(@TempDir Path tmp) throws Exception {
    Path src = tmp.resolve("src");
    Files.createDirectories(src);
    Map<String, FileMeta> metas = new ConcurrentHashMap<>();
    for (int i = 1; i <= 1000; i++) {
      String n = String.format("peer2_kb_%04d.txt", i);
      Path f = Files.writeString(src.resolve(n), ("" + i).repeat(1024).substring(0, 1024));
      metas.put(n, new FileMeta(1024L, PieceHasher.hash(f, 1 << 22).sha256()));
    }
    try (FakeIndex idx = FakeIndex.start(); FakeTransferServer s = new FakeTransferServer("peer2", src, 1 << 22)) {
      idx.peers.put("peer2", s.address());
      idx.files.put("peer2", metas);
      for (int round = 0; round < 3; round++) {
        PeerGuardianTest.Cli r = PeerGuardianTest.cli("get", "--match", "peer2_kb_", "--index",
            "127.0.0.1:" + idx.port(), "--out", tmp.resolve("out" + round).toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode doc = Wire.MAPPER.readTree(r.out());
        System.out.println("files/s: " + doc.get("files_per_second") + " seconds " + doc.get("seconds"));
      }
    }
  }
}
