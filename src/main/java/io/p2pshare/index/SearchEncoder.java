package io.p2pshare.index;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.Status;
import io.p2pshare.protocol.Wire;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Writes the exact-search SEARCH_RESPONSE frame straight from the holders with a streaming
 * generator: no intermediate records or JSON tree on the hot path. Same bytes as encoding a
 * {@code SearchResponse} through {@code Envelope} (checked by a test).
 */
final class SearchEncoder {
  private SearchEncoder() {}

  static byte[] exactResponse(String fromPeerId, String requestId, String fileName, List<Holder> holders) {
    ByteArrayBuilder buf = new ByteArrayBuilder(256 + 256 * holders.size());
    try (JsonGenerator g = Wire.MAPPER.getFactory().createGenerator(buf)) {
      g.writeStartObject();
      g.writeStringField("type", MessageType.SEARCH_RESPONSE);
      g.writeNumberField("timestamp", System.currentTimeMillis());
      g.writeStringField("version", Envelope.VERSION);
      if (fromPeerId != null) {
        g.writeStringField("peer_id", fromPeerId);
      }
      if (requestId != null) {
        g.writeStringField("request_id", requestId);
      }
      g.writeObjectFieldStart("payload");
      g.writeStringField("status", Status.OK);
      g.writeStringField("file_name", fileName);
      g.writeArrayFieldStart("results");
      for (Holder h : holders) {
        PeerRecord.Address a = h.peer().address();
        g.writeStartObject();
        g.writeStringField("peer_id", h.peer().peerId());
        g.writeObjectFieldStart("peer");
        g.writeStringField("peer_id", h.peer().peerId());
        g.writeStringField("host", a.host());
        g.writeNumberField("port", a.port());
        g.writeEndObject();
        g.writeObjectFieldStart("meta");
        if (h.hasSize()) {
          g.writeNumberField("size_bytes", h.size());
        }
        if (h.hasSha()) {
          g.writeStringField("sha256", h.sha256());
        }
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    buf.append('\n');
    return buf.toByteArray();
  }
}
