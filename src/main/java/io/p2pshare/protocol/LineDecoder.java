package io.p2pshare.protocol;

import akka.util.ByteString;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a byte stream into newline-terminated frames with a hard length limit.
 *
 * <p>Unlike {@code Framing.delimiter}, an oversized frame does not fail the stream (that resets
 * the connection before the client can read an error): it yields {@link TooLarge} once and then
 * drains all further input silently, so the server can answer FRAME_TOO_LARGE and close cleanly.
 * Not thread-safe: one instance per connection, used from one stream stage.
 */
public final class LineDecoder {
  /** What the decoder yields. */
  public sealed interface Frame permits Line, TooLarge, Stalled {}

  /** One frame without its {@code \n} (and without a trailing {@code \r}). */
  public record Line(ByteString bytes) implements Frame {}

  /** The frame in progress exceeded the limit; nothing more will be decoded. */
  public enum TooLarge implements Frame { INSTANCE }

  /**
   * The frame in progress was not finished within the port's header deadline (slow-loris).
   * Emitted by {@code transport.RequestLines}, never by {@link #feed}; nothing follows it.
   */
  public enum Stalled implements Frame { INSTANCE }

  private final int maxFrameBytes;
  private ByteString buffer = ByteString.emptyByteString();
  private boolean draining;

  public LineDecoder(int maxFrameBytes) {
    if (maxFrameBytes < 1) {
      throw new IllegalArgumentException("maxFrameBytes must be positive");
    }
    this.maxFrameBytes = maxFrameBytes;
  }

  public List<Frame> feed(ByteString chunk) {
    if (draining || chunk.isEmpty()) {
      return List.of();
    }
    List<Frame> out = new ArrayList<>(2);
    ByteString data = buffer.isEmpty() ? chunk : buffer.concat(chunk);
    int start = 0;
    int searchFrom = buffer.size(); // bytes already buffered hold no newline
    while (true) {
      int nl = Bytes.indexOf(data, (byte) '\n', Math.max(start, searchFrom));
      if (nl < 0) {
        break;
      }
      if (nl - start > maxFrameBytes) {
        return tooLarge(out);
      }
      int end = nl > start && data.apply(nl - 1) == '\r' ? nl - 1 : nl;
      if (end > start) { // blank lines are keep-alive noise, not frames
        out.add(new Line(data.slice(start, end).compact()));
      }
      start = nl + 1;
    }
    buffer = data.drop(start);
    if (buffer.size() > maxFrameBytes) {
      return tooLarge(out);
    }
    if (buffer.isEmpty()) {
      buffer = ByteString.emptyByteString();
    }
    return out;
  }

  /** Bytes held for an unfinished frame. */
  public int buffered() {
    return buffer.size();
  }

  public boolean isDraining() {
    return draining;
  }

  private List<Frame> tooLarge(List<Frame> out) {
    draining = true;
    buffer = ByteString.emptyByteString();
    out.add(TooLarge.INSTANCE);
    return out;
  }
}
