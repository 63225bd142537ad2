package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PieceWriterTest {
  /** Writes {@code content} as pieces of {@code piece} bytes, in odd-sized slices, any order. */
  private static void writeAll(Path part, byte[] content, int piece, int slice) throws Exception {
    int n = (content.length + piece - 1) / piece;
    for (int i = n - 1; i >= 0; i--) {
      int off = i * piece;
      int len = Math.min(piece, content.length - off);
      PieceWriter w = PieceWriter.open(part, off, len, content.length);
      for (int p = 0; p < len; p += slice) {
        w.write(content, off + p, Math.min(slice, len - p));
      }
      w.finish(true);
    }
  }

  @Test
  void piecesLandAtTheirOffsetsAndOnlyTheFilesEndIsPadded(@TempDir Path tmp) throws Exception {
    for (int piece : new int[] {4 * 1024 * 1024, 256 * 1024, 1000}) { // 1000: not block-aligned
      byte[] content = new byte[3 * piece + 777];
      new Random(piece).nextBytes(content);
      Path part = tmp.resolve("f" + piece + ".part");
      writeAll(part, content, piece, 100_003);
      long size = Files.size(part);
      assertTrue(size >= content.length && size - content.length < 1024 * 1024, "padding only: " + size);
      try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE)) {
        ch.truncate(content.length); // what the download does before the rename
      }
      assertArrayEquals(content, Files.readAllBytes(part), "piece size " + piece);
    }
  }

  @Test
  void aPieceThatFailsHalfWayLeavesItsNeighboursAlone(@TempDir Path tmp) throws Exception {
    int piece = 256 * 1024;
    byte[] content = new byte[3 * piece];
    new Random(5).nextBytes(content);
    Path part = tmp.resolve("g.part");
    writeAll(part, content, piece, 65_536);
    PieceWriter w = PieceWriter.open(part, piece, piece, content.length);
    byte[] junk = new byte[piece / 2 + 5];
    w.write(junk, 0, junk.length);
    w.finish(false); // a broken connection: what was staged is dropped
    byte[] got = Files.readAllBytes(part);
    assertArrayEquals(Arrays.copyOfRange(content, 0, piece), Arrays.copyOfRange(got, 0, piece));
    assertArrayEquals(Arrays.copyOfRange(content, 2 * piece, 3 * piece), Arrays.copyOfRange(got, 2 * piece, 3 * piece));
  }

  @Test
  void aDirectWriteTheFileSystemRefusesIsRedoneThroughThePageCache(@TempDir Path tmp) throws Exception {
    // A block size of 1 makes an unaligned O_DIRECT write, which ext4 refuses (EINVAL). Three
    // full staging buffers go to the writer thread first, the 1000 bytes at the end on finish.
    byte[] content = new byte[3 * PieceWriter.DIRECT_CHUNK + 1000];
    new Random(6).nextBytes(content);
    Path part = tmp.resolve("h.part");
    boolean before = PieceWriter.directEnabled;
    try {
      PieceWriter w = PieceWriter.open(part, 0, content.length, content.length, 1);
      w.write(content, 0, content.length);
      w.finish(true);
      assertArrayEquals(content, Files.readAllBytes(part));
    } finally {
      PieceWriter.directEnabled = before;
    }
  }

  @Test
  void writesHandedToTheWriterThreadAreAllOnDiskAfterFinishAndTheBuffersAreFreeForTheNext(
      @TempDir Path tmp) throws Exception {
    // Ten staging buffers' worth in one writer (each full buffer is written while the next one
    // fills), then at once a second writer on the same thread, which reuses the two buffers.
    byte[] a = new byte[10 * PieceWriter.DIRECT_CHUNK + 4096];
    byte[] b = new byte[2 * PieceWriter.DIRECT_CHUNK];
    new Random(7).nextBytes(a);
    new Random(8).nextBytes(b);
    Path part = tmp.resolve("w.part");
    long size = a.length + b.length;
    PieceWriter first = PieceWriter.open(part, 0, a.length, size);
    for (int p = 0; p < a.length; p += 77_777) {
      first.write(a, p, Math.min(77_777, a.length - p));
    }
    first.finish(true);
    PieceWriter second = PieceWriter.open(part, a.length, b.length, size);
    second.write(b, 0, b.length);
    second.finish(true);
    byte[] got = Files.readAllBytes(part);
    assertArrayEquals(a, Arrays.copyOfRange(got, 0, a.length));
    assertArrayEquals(b, Arrays.copyOfRange(got, a.length, a.length + b.length));
  }
}
