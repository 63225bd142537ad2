package io.p2pshare.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.util.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The decoder gives the same frames however the bytes are cut into reads. */
class LineDecoderTest {
  private static final String STREAM = "{\"a\":1}\n\r\n{\"b\":\"two\"}\r\n\n{\"c\":[3,3,3]}\npartial";

  @Test
  void same_frames_for_every_split_point() {
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    List<String> expected = List.of("{\"a\":1}", "{\"b\":\"two\"}", "{\"c\":[3,3,3]}");
    for (int i = 0; i <= bytes.length; i++) {
      for (int j = i; j <= bytes.length; j++) {
        LineDecoder d = new LineDecoder(64);
        List<String> got = new ArrayList<>();
        collect(d.feed(ByteString.fromArray(bytes, 0, i)), got);
        collect(d.feed(ByteString.fromArray(bytes, i, j - i)), got);
        collect(d.feed(ByteString.fromArray(bytes, j, bytes.length - j)), got);
        assertEquals(expected, got, "split at " + i + "," + j);
        assertEquals("partial".length(), d.buffered());
      }
    }
  }

  @Test
  void byte_by_byte_and_limit_exactly_at_the_edge() {
    LineDecoder d = new LineDecoder(8);
    List<String> got = new ArrayList<>();
    for (byte b : "12345678\n123456789\n".getBytes(StandardCharsets.UTF_8)) {
      for (LineDecoder.Frame f : d.feed(ByteString.fromArray(new byte[] {b}))) {
        got.add(f instanceof LineDecoder.Line l ? l.bytes().utf8String() : "TOO_LARGE");
      }
    }
    assertEquals(List.of("12345678", "TOO_LARGE"), got);
  }

  @Test
  void too_large_is_reported_once_whatever_the_split() {
    byte[] big = new byte[300];
    java.util.Arrays.fill(big, (byte) 'x');
    for (int cut = 1; cut < big.length; cut += 7) {
      LineDecoder d = new LineDecoder(100);
      List<LineDecoder.Frame> all = new ArrayList<>(d.feed(ByteString.fromArray(big, 0, cut)));
      all.addAll(d.feed(ByteString.fromArray(big, cut, big.length - cut)));
      all.addAll(d.feed(ByteString.fromString("\n{\"ok\":1}\n")));
      assertEquals(List.of(LineDecoder.TooLarge.INSTANCE), all, "cut " + cut);
    }
  }

  private static void collect(List<LineDecoder.Frame> frames, List<String> into) {
    for (LineDecoder.Frame f : frames) {
      into.add(((LineDecoder.Line) f).bytes().utf8String());
    }
  }
}
