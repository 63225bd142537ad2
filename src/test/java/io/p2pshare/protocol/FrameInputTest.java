package io.p2pshare.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameInputTest {
  /** Hands out at most {@code step} bytes per read, as a socket may. */
  private static InputStream trickle(byte[] data, int step) {
    return new ByteArrayInputStream(data) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, step));
      }
    };
  }

  private static String str(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void linesAndBodiesComeOutWholeWhateverTheReadSizes() throws Exception {
    String longLine = "x".repeat(10_000);
    byte[] data = ("first\n\n" + longLine + "\nBODY!tail\n").getBytes(StandardCharsets.UTF_8);
    for (int step : new int[] {1, 3, 7, 64, 100_000}) {
      for (int bufSize : new int[] {4, 16, 4096}) {
        FrameInput in = new FrameInput(trickle(data, step), bufSize);
        assertEquals("first", str(in.readLine(100_000, "t")));
        assertEquals("", str(in.readLine(100_000, "t")));
        assertEquals(longLine, str(in.readLine(100_000, "t")));
        byte[] body = new byte[5];
        in.readFully(body, 0, 5, "t");
        assertEquals("BODY!", str(body));
        assertEquals("tail", str(in.readLine(100_000, "t")));
        assertEquals("t: connection closed",
            assertThrows(EOFException.class, () -> in.readLine(10, "t")).getMessage());
      }
    }
  }

  @Test
  void aLineOverTheLimitIsRefusedWithoutReadingItAll() throws Exception {
    byte[] data = ("y".repeat(1000) + "\nnext\n").getBytes(StandardCharsets.UTF_8);
    FrameInput in = new FrameInput(trickle(data, 64), 32);
    IOException e = assertThrows(FrameInput.LineTooLong.class, () -> in.readLine(100, "reply frame"));
    assertEquals("reply frame longer than 100 bytes", e.getMessage());
    // exactly at the limit is fine
    FrameInput exact = new FrameInput(new ByteArrayInputStream("abc\n".getBytes(StandardCharsets.UTF_8)), 2);
    assertArrayEquals("abc".getBytes(StandardCharsets.UTF_8), exact.readLine(3, "t"));
  }

  @Test
  void aLineCutShortSaysHowMuchOfItArrived() {
    FrameInput in = new FrameInput(new ByteArrayInputStream("half a li".getBytes(StandardCharsets.UTF_8)), 4);
    EOFException e = assertThrows(EOFException.class, () -> in.readLine(100, "reply frame"));
    assertEquals("reply frame: connection closed after 9 bytes of a line", e.getMessage());
  }

  @Test
  void aBodyCutShortIsAnEofThatSaysHowMuchIsMissing() {
    FrameInput in = new FrameInput(new ByteArrayInputStream(new byte[10]), 4);
    EOFException e = assertThrows(EOFException.class, () -> in.readFully(new byte[25], 0, 25, "source p"));
    assertEquals("source p: connection closed with 15 body bytes missing", e.getMessage());
  }
}
