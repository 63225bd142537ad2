package io.p2pshare.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.util.ByteString;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.ErrorCode;
import io.p2pshare.protocol.ErrorReply;
import io.p2pshare.protocol.Frames;
import io.p2pshare.protocol.ManifestResponse;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.TransferHeader;
import io.p2pshare.transfer.HeaderBodyDecoder.BodyChunk;
import io.p2pshare.transfer.HeaderBodyDecoder.BodyEnd;
import io.p2pshare.transfer.HeaderBodyDecoder.Event;
import io.p2pshare.transfer.HeaderBodyDecoder.Header;
import io.p2pshare.transfer.HeaderBodyDecoder.Malformed;
import io.p2pshare.transfer.HeaderBodyDecoder.Truncated;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeaderBodyDecoderTest {
  private static final int LIMIT = 4096;

  /** Bodies full of newlines and CRs: a line splitter would cut them. */
  private static final byte[] BODY_A = "\n\r\nab\ncd\n\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] BODY_B = {'{', '\n', 0, (byte) 0xff, '}'};

  private static byte[] ok(String name, long len) {
    return Frames.encode(Envelope.of(MessageType.OBTAIN_RESPONSE, "p", "r-" + name,
        new TransferHeader("ok", name, len, len, 0L, len, null, null, null)));
  }

  /** A base v1 header: no length, only file_size. */
  private static byte[] base(String name, long size) {
    return Frames.encode(Envelope.of(MessageType.REPLICATE_RESPONSE, "p", "r-" + name,
        new TransferHeader("ok", name, size, null, null, null, null, null, null)));
  }

  private static byte[] stream() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(ok("a", BODY_A.length));
    out.writeBytes(BODY_A);
    out.writeBytes(Frames.encode(Envelope.of(MessageType.OBTAIN_RESPONSE, "p", "r-err",
        ErrorReply.of(ErrorCode.NOT_FOUND, "no"))));
    out.writeBytes(Frames.encode(Envelope.of(MessageType.MANIFEST_RESPONSE, "p", "r-m",
        new ManifestResponse("ok", "m", 5L, "00", 4L, List.of("11", "22")))));
    out.writeBytes(ok("empty", 0));
    out.writeBytes(base("b", BODY_B.length));
    out.writeBytes(BODY_B);
    return out.toByteArray();
  }

  /** Events with adjacent chunks merged, rendered as strings: split-independent. */
  private static List<String> render(List<Event> events) {
    List<String> out = new ArrayList<>();
    ByteArrayOutputStream body = null;
    for (Event e : events) {
      if (e instanceof BodyChunk c) {
        assertTrue(c.bytes().nonEmpty(), "no empty chunks");
        if (body == null) {
          body = new ByteArrayOutputStream();
        }
        body.writeBytes(c.bytes().toArray());
        continue;
      }
      if (body != null) {
        out.add("body:" + java.util.Arrays.toString(body.toByteArray()));
        body = null;
      }
      if (e instanceof Header h) {
        out.add("header:" + h.envelope().requestId() + ":" + h.bodyLength());
      } else {
        out.add(e.toString());
      }
    }
    if (body != null) {
      out.add("body:" + java.util.Arrays.toString(body.toByteArray()));
    }
    return out;
  }

  private static List<String> expected() {
    return List.of(
        "header:r-a:" + BODY_A.length, "body:" + java.util.Arrays.toString(BODY_A), "INSTANCE",
        "header:r-err:0", "INSTANCE",
        "header:r-m:0", "INSTANCE",
        "header:r-empty:0", "INSTANCE",
        "header:r-b:" + BODY_B.length, "body:" + java.util.Arrays.toString(BODY_B), "INSTANCE");
  }

  @Test
  void wholeStreamInOneChunk() {
    HeaderBodyDecoder d = HeaderBodyDecoder.forTransfers(LIMIT);
    List<Event> ev = new ArrayList<>(d.feed(ByteString.fromArray(stream())));
    ev.addAll(d.onComplete());
    assertEquals(expected(), render(ev));
  }

  @Test
  void splitAtEveryIndex() {
    byte[] all = stream();
    for (int i = 0; i <= all.length; i++) {
      for (int j = i; j <= all.length; j += 7) {
        HeaderBodyDecoder d = HeaderBodyDecoder.forTransfers(LIMIT);
        List<Event> ev = new ArrayList<>();
        ev.addAll(d.feed(ByteString.fromArray(all, 0, i)));
        ev.addAll(d.feed(ByteString.fromArray(all, i, j - i)));
        ev.addAll(d.feed(ByteString.fromArray(all, j, all.length - j)));
        ev.addAll(d.onComplete());
        assertEquals(expected(), render(ev), "split at " + i + "," + j);
      }
    }
  }

  @Test
  void byteByByte() {
    byte[] all = stream();
    HeaderBodyDecoder d = HeaderBodyDecoder.forTransfers(LIMIT);
    List<Event> ev = new ArrayList<>();
    for (byte b : all) {
      ev.addAll(d.feed(ByteString.fromArray(new byte[] {b})));
    }
    ev.addAll(d.onComplete());
    assertEquals(expected(), render(ev));
  }

  @Test
  void endingMidBodyOrMidHeaderIsTruncated() {
    byte[] all = stream();
    int cleanEnds = 0;
    for (int cut = 1; cut < all.length; cut++) {
      HeaderBodyDecoder d = HeaderBodyDecoder.forTransfers(LIMIT);
      List<Event> ev = new ArrayList<>(d.feed(ByteString.fromArray(all, 0, cut)));
      List<Event> end = d.onComplete();
      if (end.isEmpty()) {
        cleanEnds++;
        assertEquals(BodyEnd.INSTANCE, ev.get(ev.size() - 1), "clean end only after a body end, cut " + cut);
      } else {
        assertInstanceOf(Truncated.class, end.get(0), "cut " + cut);
      }
    }
    assertEquals(4, cleanEnds, "only the four message boundaries inside the stream end cleanly");
  }

  @Test
  void truncatedReportsMissingBytes() {
    byte[] h = ok("a", 100);
    HeaderBodyDecoder d = HeaderBodyDecoder.forTransfers(LIMIT);
    d.feed(ByteString.fromArray(h));
    d.feed(ByteString.fromArray(new byte[60]));
    assertEquals(List.of(new Truncated(40, false)), d.onComplete());
  }

  @Test
  void overlongHeaderIsMalformedAndStopsDecoding() {
    HeaderBodyDecoder d = HeaderBodyDecoder.forTransfers(64);
    List<Event> ev = d.feed(ByteString.fromArray(new byte[65]));
    assertEquals(1, ev.size());
    assertInstanceOf(Malformed.class, ev.get(0));
    assertEquals(List.of(), d.feed(ByteString.fromArray(ok("x", 0))));
    assertEquals(List.of(), d.onComplete());
  }

  @Test
  void overlongHeaderWithNewlineIsMalformed() {
    byte[] h = ok("x".repeat(100), 0);
    List<Event> ev = HeaderBodyDecoder.forTransfers(64).feed(ByteString.fromArray(h));
    assertInstanceOf(Malformed.class, ev.get(0));
  }

  @Test
  void garbageHeaderIsMalformed() {
    List<Event> ev = HeaderBodyDecoder.forTransfers(LIMIT)
        .feed(ByteString.fromString("HTTP/1.1 200 OK\r\n"));
    assertInstanceOf(Malformed.class, ev.get(0));
  }

  @Test
  void negativeLengthIsMalformed() {
    byte[] h = Frames.encode(Envelope.of(MessageType.OBTAIN_RESPONSE, "p", "r",
        new TransferHeader("ok", "n", 5L, 5L, 0L, -5L, null, null, null)));
    List<Event> ev = HeaderBodyDecoder.forTransfers(LIMIT).feed(ByteString.fromArray(h));
    assertInstanceOf(Malformed.class, ev.get(0));
  }
}
