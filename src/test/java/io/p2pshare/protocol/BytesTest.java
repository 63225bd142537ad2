package io.p2pshare.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.util.ByteString;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BytesTest {
  @Test
  void findsTheSameIndexAsTheGenericSearchAcrossFragmentsAndSlices() {
    Random r = new Random(7);
    for (int round = 0; round < 500; round++) {
      ByteString s = ByteString.emptyByteString();
      int parts = 1 + r.nextInt(6);
      for (int p = 0; p < parts; p++) {
        byte[] b = new byte[r.nextInt(40)];
        for (int i = 0; i < b.length; i++) {
          b[i] = (byte) (r.nextInt(8) == 0 ? '\n' : 'a' + r.nextInt(3));
        }
        ByteString piece = ByteString.fromArray(b);
        if (piece.size() > 4 && r.nextBoolean()) {
          piece = piece.slice(1, piece.size() - 1); // a view with an offset
        }
        s = s.concat(piece);
      }
      for (int from = 0; from <= s.size() + 1; from++) {
        assertEquals(s.indexOf((byte) '\n', from), Bytes.indexOf(s, (byte) '\n', from),
            "round " + round + " from " + from);
      }
    }
  }
}
