package io.p2pshare.cli;

import io.p2pshare.config.Endpoint;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.FrameSocket;
import io.p2pshare.protocol.ProtocolException;
import io.p2pshare.protocol.Status;
import io.p2pshare.transport.ClientSockets;
import java.io.IOException;

/** One request to the index on a fresh connection, for the one-shot commands. */
final class IndexCall {
  static final int TIMEOUT_MS = 10_000;

  /** The reply envelope; an unreachable index or an error reply is an exception with one clear line. */
  static Envelope request(Endpoint at, String type, Object payload) {
    return request(at, ClientSockets.PLAIN, type, payload);
  }

  /** Through {@code sockets} (plain or TLS). */
  static Envelope request(Endpoint at, ClientSockets sockets, String type, Object payload) {
    Envelope reply;
    try (FrameSocket s = FrameSocket.connect(sockets, at.host(), at.port(), TIMEOUT_MS, "cli")) {
      reply = s.request(type, payload);
    } catch (ProtocolException e) {
      throw new IllegalStateException("index at " + at + " sent an unreadable reply: " + e.getMessage());
    } catch (IOException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw new IllegalStateException("index unreachable at " + at + ": " + why);
    }
    if (reply.payload() == null || !Status.OK.equals(reply.payload().path("status").asText())) {
      String code = reply.payload() == null ? "" : reply.payload().path("code").asText("");
      String err = reply.payload() == null ? "no payload" : reply.payload().path("error").asText("error");
      throw new IllegalStateException("index refused the request: " + err + (code.isEmpty() ? "" : " (" + code + ")"));
    }
    return reply;
  }

  private IndexCall() {}
}
