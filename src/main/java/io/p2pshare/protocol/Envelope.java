package io.p2pshare.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** One frame: {@code {"type", "timestamp", "version", "peer_id", "request_id", "payload"}}. */
public record Envelope(
    String type, Long timestamp, String version, String peerId, String requestId, JsonNode payload) {

  public static final String VERSION = "1.0";

  /** A new frame stamped now with a payload object converted from a record. */
  public static Envelope of(String type, String peerId, String requestId, Object payload) {
    return new Envelope(type, System.currentTimeMillis(), VERSION, peerId, requestId,
        Wire.MAPPER.valueToTree(payload));
  }

  /** The reply to this frame: response type, same request id. */
  public Envelope reply(String fromPeerId, Object payload) {
    return of(MessageType.responseFor(type), fromPeerId, requestId, payload);
  }

  /** The payload read as {@code cls}; a bad or missing field becomes {@code BAD_REQUEST}. */
  public <T> T payloadAs(Class<T> cls) {
    return Frames.convert(payload == null ? Wire.MAPPER.createObjectNode() : payload, cls);
  }

  public boolean payloadIsObject() {
    return payload instanceof ObjectNode;
  }
}
