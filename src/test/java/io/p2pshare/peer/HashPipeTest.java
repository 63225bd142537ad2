package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.*;

import io.p2pshare.transfer.PieceHasher;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HashPipeTest {
  @Test
  void bothDigestsSeeEveryByteInOrderAndTheRingIsReusable() throws Exception {
    byte[] content = new byte[3 * HashPipe.CHUNK * HashPipe.RING + 12_345];
    new Random(9).nextBytes(content);
    String expected = PieceHasher.hex(PieceHasher.sha256().digest(content));
    byte[][] ring = HashPipe.newRing();
    for (int round = 0; round < 3; round++) { // the same ring, piece after piece
      MessageDigest a = PieceHasher.sha256();
      MessageDigest b = PieceHasher.sha256();
      HashPipe pipe = new HashPipe(ring, a, round == 1 ? null : b);
      int pos = 0;
      Random sizes = new Random(round);
      while (pos < content.length) {
        byte[] buf = pipe.buffer();
        int n = Math.min(content.length - pos, 1 + sizes.nextInt(buf.length));
        System.arraycopy(content, pos, buf, 0, n);
        pipe.hashed(buf, n);
        pos += n;
      }
      pipe.finish();
      assertEquals(expected, PieceHasher.hex(a.digest()), "round " + round);
      if (round != 1) {
        assertEquals(expected, PieceHasher.hex(b.digest()));
      }
    }
  }

  @Test
  void aReaderThatStopsHalfWayStillGetsAnIdleRingBack() throws Exception {
    byte[][] ring = HashPipe.newRing();
    MessageDigest d = PieceHasher.sha256();
    HashPipe pipe = new HashPipe(ring, d, null);
    for (int i = 0; i < HashPipe.RING; i++) {
      pipe.hashed(pipe.buffer(), HashPipe.CHUNK);
    }
    pipe.finish(); // e.g. the connection broke: finish returns once the hasher let go
    HashPipe next = new HashPipe(ring, PieceHasher.sha256(), null);
    for (int i = 0; i < HashPipe.RING; i++) {
      assertNotNull(next.buffer(), "every buffer is free again");
    }
    next.finish();
  }
}
