package io.p2pshare.index;

import io.p2pshare.protocol.Envelope;

/**
 * Frames the index sends on a peer's control connection without a request (REPLICATION_TASKS).
 * Backed by the connection's bounded queue: {@link #offer} never blocks and says false when the
 * queue is full or the connection is gone, so the caller keeps the frame for the next reply.
 */
@FunctionalInterface
public interface PushChannel {
  boolean offer(Envelope frame);
}
