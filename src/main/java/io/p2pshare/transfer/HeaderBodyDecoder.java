package io.p2pshare.transfer;

import akka.util.ByteString;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.Frames;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.ProtocolException;
import io.p2pshare.protocol.TransferHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Splits the byte stream a transfer server sends back (header line, then exactly N raw body
 * bytes, then the next header...) into events, without ever scanning body bytes for newlines
 * (STYLE.md §5 step 3; {@code Framing.delimiter} would corrupt bodies).
 *
 * <p>Every {@link Header} is followed by its body as zero or more {@link BodyChunk}s and then one
 * {@link BodyEnd}, also when the body is empty (error replies, manifests), so a consumer can
 * always read "header, chunks until BodyEnd". If the input ends mid-header or mid-body the last
 * event is {@link Truncated}. A header that is too long or not a frame yields {@link Malformed}
 * and the decoder ignores everything after it (the body length is unknown, so the stream cannot
 * be resynchronised). Plain state machine, one instance per connection, not thread-safe.
 */
public final class HeaderBodyDecoder {
  /** What the decoder yields. */
  public sealed interface Event permits Header, BodyChunk, BodyEnd, Truncated, Malformed {}

  /** A parsed header frame; {@code bodyLength} raw bytes follow it. */
  public record Header(Envelope envelope, long bodyLength) implements Event {}

  /** A slice of the current body, in order. */
  public record BodyChunk(ByteString bytes) implements Event {}

  /** The current body is complete. */
  public enum BodyEnd implements Event { INSTANCE }

  /** The input ended with {@code missing} bytes of a body (or a partial header) outstanding. */
  public record Truncated(long missing, boolean inHeader) implements Event {}

  /** The server sent something that is not a header; nothing more will be decoded. */
  public record Malformed(String reason) implements Event {}

  /**
   * Body length for the response types of the transfer port: OBTAIN/REPLICATE responses carry
   * {@code length} (or the whole {@code file_size}) bytes when ok; anything else carries none.
   */
  public static final ToLongFunction<Envelope> TRANSFER_BODY = env -> {
    if (MessageType.OBTAIN_RESPONSE.equals(env.type())
        || MessageType.REPLICATE_RESPONSE.equals(env.type())) {
      return env.payloadAs(TransferHeader.class).bodyLength();
    }
    return 0;
  };

  private final int maxHeaderBytes;
  private final ToLongFunction<Envelope> bodyLength;
  private ByteString buffer = ByteString.emptyByteString();
  private long remaining = -1; // -1: header mode
  private boolean failed;

  public HeaderBodyDecoder(int maxHeaderBytes, ToLongFunction<Envelope> bodyLength) {
    if (maxHeaderBytes < 1) {
      throw new IllegalArgumentException("maxHeaderBytes must be positive");
    }
    this.maxHeaderBytes = maxHeaderBytes;
    this.bodyLength = bodyLength;
  }

  /** A decoder for transfer responses with the given header limit. */
  public static HeaderBodyDecoder forTransfers(int maxHeaderBytes) {
    return new HeaderBodyDecoder(maxHeaderBytes, TRANSFER_BODY);
  }

  public List<Event> feed(ByteString chunk) {
    if (failed || chunk.isEmpty()) {
      return List.of();
    }
    List<Event> out = new ArrayList<>(4);
    ByteString data = chunk;
    while (!data.isEmpty() && !failed) {
      if (remaining >= 0) {
        data = body(data, out);
      } else {
        data = header(data, out);
      }
    }
    return out;
  }

  /** Call when the input has ended: reports a cut-off header or body. */
  public List<Event> onComplete() {
    if (failed) {
      return List.of();
    }
    if (remaining > 0) {
      return List.of(new Truncated(remaining, false));
    }
    if (!buffer.isEmpty()) {
      return List.of(new Truncated(-1, true));
    }
    return List.of();
  }

  /** True between a header and its BodyEnd. */
  public boolean inBody() {
    return remaining >= 0;
  }

  private ByteString body(ByteString data, List<Event> out) {
    if (data.size() <= remaining) {
      out.add(new BodyChunk(data));
      remaining -= data.size();
      if (remaining == 0) {
        endBody(out);
      }
      return ByteString.emptyByteString();
    }
    int n = (int) remaining;
    if (n > 0) {
      out.add(new BodyChunk(data.take(n)));
    }
    endBody(out);
    return data.drop(n);
  }

  private void endBody(List<Event> out) {
    out.add(BodyEnd.INSTANCE);
    remaining = -1;
  }

  private ByteString header(ByteString data, List<Event> out) {
    int searchFrom = buffer.size();
    ByteString all = buffer.isEmpty() ? data : buffer.concat(data);
    int nl = io.p2pshare.protocol.Bytes.indexOf(all, (byte) '\n', searchFrom);
    if (nl < 0) {
      if (all.size() > maxHeaderBytes) {
        return fail(out, "header longer than " + maxHeaderBytes + " bytes");
      }
      buffer = all.compact(); // small: at most one header
      return ByteString.emptyByteString();
    }
    if (nl > maxHeaderBytes) {
      return fail(out, "header longer than " + maxHeaderBytes + " bytes");
    }
    int end = nl > 0 && all.apply(nl - 1) == '\r' ? nl - 1 : nl;
    ByteString rest = all.drop(nl + 1);
    buffer = ByteString.emptyByteString();
    if (end == 0) {
      return rest; // blank line: keep-alive noise
    }
    Envelope env;
    long len;
    try {
      env = Frames.decode(all.slice(0, end).toArray());
      len = bodyLength.applyAsLong(env);
    } catch (ProtocolException e) {
      return fail(out, "bad header: " + e.getMessage());
    }
    if (len < 0) {
      return fail(out, "header announces a negative body length");
    }
    out.add(new Header(env, len));
    remaining = len;
    if (len == 0) {
      endBody(out);
    }
    return rest;
  }

  private ByteString fail(List<Event> out, String reason) {
    failed = true;
    buffer = ByteString.emptyByteString();
    remaining = -1;
    out.add(new Malformed(reason));
    return ByteString.emptyByteString();
  }
}
