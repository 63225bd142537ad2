package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.p2pshare.transfer.PieceHasher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDigestTest {
  @Test
  void fileDigestGivesTheFileHashWhateverOrderPiecesLandIn(@TempDir Path tmp) throws Exception {
    byte[] content = new byte[10 * 1000 + 7];
    new Random(3).nextBytes(content);
    Path part = Files.write(tmp.resolve("x.part"), content);
    String expected = PieceHasher.hex(PieceHasher.sha256().digest(content));
    int piece = 1000;
    int n = (content.length + piece - 1) / piece;
    for (long seed = 0; seed < 20; seed++) {
      List<Integer> order = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        order.add(i);
      }
      java.util.Collections.shuffle(order, new Random(seed));
      FileDigest d = new FileDigest(part, content.length);
      Random r = new Random(seed);
      for (int i : order) {
        int off = i * piece;
        int len = Math.min(piece, content.length - off);
        java.security.MessageDigest streaming = d.claim(off);
        if (streaming != null && r.nextInt(4) == 0) {
          d.abandon(); // a piece that failed half-way: the hash must not move
          streaming = d.claim(off);
        }
        if (streaming != null) {
          streaming.update(content, off, len);
          d.commit(off, len, streaming);
        } else if (r.nextInt(5) > 0) {
          d.ready(off, len);
        } // else never reported: finish() hashes it from disk
      }
      assertEquals(expected, d.finish(), "seed " + seed);
    }
  }
}
