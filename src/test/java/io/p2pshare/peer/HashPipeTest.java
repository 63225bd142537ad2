package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.*;

import io.p2pshare.transfer.PieceHasher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashPipeTest {
  @Test
  void bothDigestsSeeEveryByteInOrderAndTheRingIsReusable() throws Exception {
    byte[] content = new byte[3 * HashPipe.CHUNK * HashPipe.RING + 12_345];
    new Random(9).nextBytes(content);
    String expected = PieceHasher.hex(PieceHasher.sha256().digest(content));
    java.nio.ByteBuffer[] ring = HashPipe.newRing();
    for (int round = 0; round < 3; round++) { // the same ring, piece after piece
      MessageDigest a = PieceHasher.sha256();
      MessageDigest b = PieceHasher.sha256();
      HashPipe pipe = new HashPipe(ring, a, round == 1 ? null : b);
      int pos = 0;
      Random sizes = new Random(round);
      while (pos < content.length) {
        java.nio.ByteBuffer buf = pipe.buffer();
        int n = Math.min(content.length - pos, 1 + sizes.nextInt(buf.capacity()));
        buf.put(content, pos, n);
        pipe.hashed(buf);
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
    java.nio.ByteBuffer[] ring = HashPipe.newRing();
    MessageDigest d = PieceHasher.sha256();
    HashPipe pipe = new HashPipe(ring, d, null);
    for (int i = 0; i < HashPipe.RING; i++) {
      java.nio.ByteBuffer b = pipe.buffer();
      b.position(HashPipe.CHUNK);
      pipe.hashed(b);
    }
    pipe.finish(); // e.g. the connection broke: finish returns once the hasher let go
    HashPipe next = new HashPipe(ring, PieceHasher.sha256(), null);
    for (int i = 0; i < HashPipe.RING; i++) {
      assertNotNull(next.buffer(), "every buffer is free again");
    }
    next.finish();
  }

  @Test
  void theWriterThreadWritesEveryByteInOrderBeforeFinishReturns(@TempDir Path tmp) throws Exception {
    byte[] content = new byte[3 * HashPipe.CHUNK + HashPipe.CHUNK / 2 + 7];
    new Random(10).nextBytes(content);
    Path part = tmp.resolve("x.part");
    PieceWriter out = PieceWriter.open(part, 0, content.length, content.length);
    MessageDigest d = PieceHasher.sha256();
    HashPipe pipe = new HashPipe(HashPipe.newRing(), d, null, out);
    Random sizes = new Random(11);
    for (int pos = 0; pos < content.length; ) {
      java.nio.ByteBuffer buf = pipe.buffer();
      // Whole 1 MiB buffers go to the disk as they are; odd sizes through the staging buffer.
      int n = Math.min(content.length - pos, sizes.nextBoolean() ? buf.capacity() : 1 + sizes.nextInt(buf.capacity()));
      buf.put(content, pos, n);
      pipe.hashed(buf);
      pos += n;
    }
    pipe.finish();
    out.finish(true);
    try (var ch = java.nio.channels.FileChannel.open(part, java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(content.length); // the direct write pads the file's end to a block
    }
    assertArrayEquals(content, Files.readAllBytes(part));
    assertEquals(PieceHasher.hex(PieceHasher.sha256().digest(content)), PieceHasher.hex(d.digest()));
  }

  @Test
  void aFailedWriteStopsTheReaderWithOurDisksErrorNotAfterTheWholeBody(@TempDir Path tmp) throws Exception {
    boolean before = PieceWriter.directEnabled;
    PieceWriter.directEnabled = false; // page-cache writes: the first one fails at once
    try {
      PieceWriter out = PieceWriter.open(tmp.resolve("y.part"), 0, 64L * HashPipe.CHUNK, 64L * HashPipe.CHUNK);
      out.close(); // every write from now on fails, as on a disk that went away
      HashPipe pipe = new HashPipe(HashPipe.newRing(), PieceHasher.sha256(), null, out);
      IOException seen = null;
      long deadline = System.nanoTime() + 5_000_000_000L;
      int handed = 0;
      while (seen == null && System.nanoTime() < deadline) {
        try {
          java.nio.ByteBuffer b = pipe.buffer();
          b.position(HashPipe.CHUNK);
          pipe.hashed(b);
          handed++;
        } catch (IOException e) {
          seen = e;
        }
      }
      assertInstanceOf(PieceTransfers.LocalIO.class, seen, "the reader learns of it at its next buffer");
      assertTrue(handed < 64, "stopped before the whole body: " + handed);
      assertThrows(PieceTransfers.LocalIO.class, pipe::finish);
    } finally {
      PieceWriter.directEnabled = before;
    }
  }
}
