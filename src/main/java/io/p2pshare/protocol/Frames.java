package io.p2pshare.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.io.IOException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Encodes envelopes as JSON lines and decodes lines into envelopes, mapping every failure to a code. */
public final class Frames {
  private static final byte NEWLINE = '\n';

  /** One frame as UTF-8 JSON followed by {@code \n}. */
  public static byte[] encode(Envelope envelope) {
    try {
      byte[] json = Wire.MAPPER.writeValueAsBytes(envelope);
      byte[] line = Arrays.copyOf(json, json.length + 1);
      line[json.length] = NEWLINE;
      return line;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode frame " + envelope.type(), e);
    }
  }

  /** Parses one line (without its newline). Throws {@link ProtocolException} with BAD_REQUEST. */
  public static Envelope decode(byte[] line) {
    return decode(line, 0, line.length);
  }

  public static Envelope decode(byte[] buf, int off, int len) {
    JsonNode tree;
    try {
      tree = Wire.MAPPER.readTree(buf, off, len);
    } catch (StreamConstraintsException e) {
      throw ProtocolException.badRequest("frame exceeds parser limits: " + firstLine(e));
    } catch (IOException e) {
      throw ProtocolException.badRequest("malformed JSON: " + firstLine(e));
    }
    if (tree == null || !tree.isObject()) {
      throw ProtocolException.badRequest("frame must be a JSON object");
    }
    JsonNode type = tree.get("type");
    if (type == null || !type.isTextual() || type.asText().isEmpty()) {
      throw ProtocolException.badRequest("missing required field 'type'");
    }
    JsonNode payload = tree.get("payload");
    if (payload != null && !payload.isNull() && !payload.isObject()) {
      throw ProtocolException.badRequest("'payload' must be an object");
    }
    return new Envelope(
        type.asText(),
        tree.hasNonNull("timestamp") && tree.get("timestamp").canConvertToLong()
            ? tree.get("timestamp").asLong() : null,
        textOrNull(tree, "version"),
        textOrNull(tree, "peer_id"),
        textOrNull(tree, "request_id"),
        payload == null || payload.isNull() ? null : payload);
  }

  /** Reads a payload tree into a record; any mapping failure becomes BAD_REQUEST. */
  public static <T> T convert(JsonNode node, Class<T> cls) {
    try {
      return Wire.MAPPER.treeToValue(node, cls);
    } catch (ValueInstantiationException e) {
      if (e.getCause() instanceof ProtocolException pe) {
        throw pe;
      }
      throw ProtocolException.badRequest("invalid payload: " + firstLine(e));
    } catch (MismatchedInputException e) {
      throw ProtocolException.badRequest("wrong type for field '" + path(e) + "'");
    } catch (JsonMappingException e) {
      if (e.getCause() instanceof ProtocolException pe) {
        throw pe;
      }
      throw ProtocolException.badRequest("invalid payload: " + firstLine(e));
    } catch (JsonProcessingException e) {
      throw ProtocolException.badRequest("invalid payload: " + firstLine(e));
    }
  }

  private static String path(JsonMappingException e) {
    String p = e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()))
        .collect(Collectors.joining("."));
    return p.isEmpty() ? "payload" : p;
  }

  private static String textOrNull(JsonNode tree, String field) {
    JsonNode n = tree.get(field);
    return n == null || n.isNull() ? null : n.asText();
  }

  /** Jackson messages carry a source excerpt after a newline; keep the one-line summary. */
  static String firstLine(Exception e) {
    String m = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
    if (m == null) {
      return e.getClass().getSimpleName();
    }
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  private Frames() {}
}
