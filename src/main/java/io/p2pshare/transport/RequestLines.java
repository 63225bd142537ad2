package io.p2pshare.transport;

import akka.NotUsed;
import akka.stream.Attributes;
import akka.stream.FlowShape;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.javadsl.Flow;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.GraphStage;
import akka.stream.stage.GraphStageLogic;
import akka.stream.stage.TimerGraphStageLogic;
import akka.util.ByteString;
import io.p2pshare.protocol.LineDecoder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The request side of a server connection: {@link LineDecoder} framing (hard limit, drain after
 * FRAME_TOO_LARGE) plus a header deadline against slow-loris clients. Once the first byte of a
 * request line has arrived, the rest must follow within {@code headerDeadline}; otherwise the
 * stage emits {@link LineDecoder.Stalled} once and drains the rest (the server answers and
 * closes). A client trickling one byte a second never finishes its line, so it is cut.
 *
 * <p>A long line that keeps coming at a useful rate is not a slow-loris: every
 * {@link #MIN_BYTES_PER_SECOND} bytes already received buy one more second, so a 10 MB
 * registration on a 1 MB/s link still gets through while a one-byte-a-second trickle gains
 * nothing.
 *
 * <p>The clock only runs against the client: if the deadline passes while the server itself is
 * not reading (backpressure, e.g. a long body on its way out), it restarts when reading resumes.
 * A connection with no partial line is never timed here (the idle timeout covers silence). One
 * timer per connection, armed only while a line is unfinished; {@code headerDeadline} zero or
 * negative disables it.
 */
public final class RequestLines extends GraphStage<FlowShape<ByteString, LineDecoder.Frame>> {
  private static final String DEADLINE = "header-deadline";
  /** Bytes of an unfinished line that extend its deadline by a second. */
  public static final long MIN_BYTES_PER_SECOND = 64 * 1024;

  private final Inlet<ByteString> in = Inlet.create("RequestLines.in");
  private final Outlet<LineDecoder.Frame> out = Outlet.create("RequestLines.out");
  private final FlowShape<ByteString, LineDecoder.Frame> shape = FlowShape.of(in, out);
  private final int maxFrameBytes;
  private final Duration headerDeadline;

  private RequestLines(int maxFrameBytes, Duration headerDeadline) {
    this.maxFrameBytes = maxFrameBytes;
    this.headerDeadline = headerDeadline;
  }

  /**
   * How long a line may take in all, given {@code buffered} bytes of it already received: the
   * deadline plus a second per {@link #MIN_BYTES_PER_SECOND}.
   */
  public static long allowedNanos(Duration headerDeadline, long buffered) {
    return headerDeadline.toNanos() + buffered * 1_000_000_000L / MIN_BYTES_PER_SECOND;
  }

  public static Flow<ByteString, LineDecoder.Frame, NotUsed> flow(int maxFrameBytes, Duration headerDeadline) {
    return Flow.fromGraph(new RequestLines(maxFrameBytes, headerDeadline));
  }

  @Override
  public FlowShape<ByteString, LineDecoder.Frame> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new TimerGraphStageLogic(shape) {
      private final LineDecoder decoder = new LineDecoder(maxFrameBytes);
      private final ArrayDeque<LineDecoder.Frame> queue = new ArrayDeque<>();
      private final boolean timed = !headerDeadline.isZero() && !headerDeadline.isNegative();
      private boolean stalled;
      private boolean armed;
      private long lineStartNanos;
      private boolean expiredWhileBusy;
      private boolean upstreamDone;

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            ByteString chunk = grab(in);
            if (!stalled) {
              List<LineDecoder.Frame> frames = decoder.feed(chunk);
              queue.addAll(frames);
              if (decoder.isDraining() || decoder.buffered() == 0) {
                disarm();
              } else if (!frames.isEmpty() || !armed) {
                arm(); // a new line started in this chunk
              }
            }
            deliver();
          }

          @Override
          public void onUpstreamFinish() {
            upstreamDone = true;
            deliver();
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            if (expiredWhileBusy) {
              expiredWhileBusy = false;
              if (decoder.buffered() > 0 && !decoder.isDraining() && !stalled) {
                arm(); // we were not reading: the client gets a fresh deadline
              }
            }
            deliver();
          }
        });
      }

      private boolean draining() {
        return stalled || decoder.isDraining();
      }

      private void deliver() {
        if (isAvailable(out) && !queue.isEmpty()) {
          push(out, queue.poll());
        }
        if (!queue.isEmpty()) {
          return;
        }
        if (upstreamDone) {
          completeStage();
        } else if (!hasBeenPulled(in) && (isAvailable(out) || draining())) {
          pull(in);
        }
      }

      private void arm() {
        if (timed) {
          lineStartNanos = System.nanoTime();
          scheduleOnce(DEADLINE, headerDeadline);
          armed = true;
        }
      }

      /** How much longer the line in progress may take, given what has arrived of it. */
      private long remainingNanos() {
        return allowedNanos(headerDeadline, decoder.buffered()) - (System.nanoTime() - lineStartNanos);
      }

      private void disarm() {
        if (armed) {
          cancelTimer(DEADLINE);
          armed = false;
        }
      }

      @Override
      public void onTimer(Object key) {
        armed = false;
        if (draining() || decoder.buffered() == 0) {
          return;
        }
        long more = remainingNanos();
        if (more > 0) { // a long line arriving at a fair rate: let it finish
          scheduleOnce(DEADLINE, Duration.ofNanos(more));
          armed = true;
          return;
        }
        if (hasBeenPulled(in)) { // we are waiting for the client's bytes: its fault
          stalled = true;
          queue.add(LineDecoder.Stalled.INSTANCE);
          deliver();
        } else {
          expiredWhileBusy = true;
        }
      }
    };
  }
}
