package io.p2pshare.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The frames on the download hot path (a transfer request, its header, a search reply),
 * written and read with Jackson's streaming API instead of the tree and databind: the same
 * JSON and the same records as {@link Frames} with {@link Envelope#payloadAs}, at a fraction of
 * the cost, which matters most in a fresh JVM (a one-shot {@code get} of a thousand files spent
 * more time building databind's deserializers and walking trees than on the network).
 * Unknown fields are skipped and scalars are coerced as databind does; a malformed frame or a
 * missing required field is a {@link ProtocolException} with {@code BAD_REQUEST}.
 */
public final class HotFrames {
  private HotFrames() {}

  /** A transfer request line (with its newline), as {@code Frames.encode(Envelope.of(...))}. */
  public static byte[] transferRequest(String type, String peerId, String requestId, String fileName,
      Long offset, Long length) {
    ProtocolException.require(fileName, "file_name");
    ByteArrayOutputStream out = new ByteArrayOutputStream(128 + fileName.length());
    try (JsonGenerator g = Wire.MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("type", type);
      g.writeNumberField("timestamp", System.currentTimeMillis());
      g.writeStringField("version", Envelope.VERSION);
      if (peerId != null) {
        g.writeStringField("peer_id", peerId);
      }
      if (requestId != null) {
        g.writeStringField("request_id", requestId);
      }
      g.writeObjectFieldStart("payload");
      g.writeStringField("file_name", fileName);
      if (offset != null) {
        g.writeNumberField("offset", offset);
      }
      if (length != null) {
        g.writeNumberField("length", length);
      }
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode " + type, e); // in memory: cannot happen
    }
    out.write('\n');
    return out.toByteArray();
  }

  /** The payload of an OBTAIN/REPLICATE response line, as {@code payloadAs(TransferHeader.class)}. */
  public static TransferHeader transferHeader(byte[] line) {
    return payload(line, p -> {
      String status = null;
      String fileName = null;
      Long fileSize = null;
      Long chunkSize = null;
      Long offset = null;
      Long length = null;
      String sha256 = null;
      String error = null;
      String code = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        p.nextToken();
        switch (f) {
          case "status" -> status = text(p, f);
          case "file_name" -> fileName = text(p, f);
          case "file_size" -> fileSize = number(p, f);
          case "chunk_size" -> chunkSize = number(p, f);
          case "offset" -> offset = number(p, f);
          case "length" -> length = number(p, f);
          case "sha256" -> sha256 = text(p, f);
          case "error" -> error = text(p, f);
          case "code" -> code = text(p, f);
          default -> p.skipChildren();
        }
      }
      return new TransferHeader(status, fileName, fileSize, chunkSize, offset, length, sha256, error, code);
    }, TransferHeader.class);
  }

  /** The payload of a SEARCH_RESPONSE line, as {@code payloadAs(SearchResponse.class)}. */
  public static SearchResponse searchResponse(byte[] line) {
    return payload(line, p -> {
      String status = null;
      String fileName = null;
      List<SearchResult> results = null;
      Boolean truncated = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        JsonToken t = p.nextToken();
        switch (f) {
          case "status" -> status = text(p, f);
          case "file_name" -> fileName = text(p, f);
          case "truncated" -> truncated = bool(p, f);
          case "results" -> {
            if (t == JsonToken.VALUE_NULL) {
              results = null;
            } else if (t != JsonToken.START_ARRAY) {
              throw wrongType(f);
            } else {
              results = new ArrayList<>();
              while (p.nextToken() != JsonToken.END_ARRAY) {
                results.add(searchResult(p));
              }
            }
          }
          default -> p.skipChildren();
        }
      }
      return new SearchResponse(status, fileName, results, truncated);
    }, SearchResponse.class);
  }

  private static SearchResult searchResult(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    expectObject(p, "results[]");
    String peerId = null;
    PeerAddress peer = null;
    FileMeta meta = null;
    String fileName = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      JsonToken t = p.nextToken();
      switch (f) {
        case "peer_id" -> peerId = text(p, f);
        case "file_name" -> fileName = text(p, f);
        case "peer" -> peer = t == JsonToken.VALUE_NULL ? null : peerAddress(p);
        case "meta" -> meta = t == JsonToken.VALUE_NULL ? null : fileMeta(p);
        default -> p.skipChildren();
      }
    }
    return new SearchResult(peerId, peer, meta, fileName);
  }

  private static PeerAddress peerAddress(JsonParser p) throws IOException {
    expectObject(p, "peer");
    String peerId = null;
    String host = null;
    Long port = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      p.nextToken();
      switch (f) {
        case "peer_id" -> peerId = text(p, f);
        case "host" -> host = text(p, f);
        case "port" -> port = number(p, f);
        default -> p.skipChildren();
      }
    }
    if (port != null && (port < Integer.MIN_VALUE || port > Integer.MAX_VALUE)) {
      throw ProtocolException.badRequest("bad value for 'port'");
    }
    return new PeerAddress(peerId, host, port == null ? null : port.intValue());
  }

  private static FileMeta fileMeta(JsonParser p) throws IOException {
    expectObject(p, "meta");
    Long size = null;
    String sha = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      p.nextToken();
      switch (f) {
        case "size_bytes" -> size = number(p, f);
        case "sha256" -> sha = text(p, f);
        default -> p.skipChildren();
      }
    }
    return new FileMeta(size, sha);
  }

  /** Reads one payload object (the parser stands on its START_OBJECT when called). */
  private interface PayloadReader<T> {
    T read(JsonParser p) throws IOException;
  }

  /**
   * Walks the envelope as {@link Frames#decode} checks it (an object with a non-empty string
   * {@code type}, an object or null {@code payload}) and reads the payload with {@code reader};
   * a missing or null payload reads as {@code {}}.
   */
  private static <T> T payload(byte[] line, PayloadReader<T> reader, Class<T> what) {
    try (JsonParser p = Wire.MAPPER.getFactory().createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw ProtocolException.badRequest("frame must be a JSON object");
      }
      boolean typed = false;
      T payload = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        JsonToken t = p.nextToken();
        if (f.equals("type")) {
          typed = t == JsonToken.VALUE_STRING && !p.getText().isEmpty();
        } else if (f.equals("payload")) {
          if (t == JsonToken.START_OBJECT) {
            payload = reader.read(p);
          } else if (t != JsonToken.VALUE_NULL) {
            throw ProtocolException.badRequest("'payload' must be an object");
          }
        } else {
          p.skipChildren();
        }
      }
      if (!typed) {
        throw ProtocolException.badRequest("missing required field 'type'");
      }
      if (payload == null) {
        try (JsonParser empty = Wire.MAPPER.getFactory().createParser("{}")) {
          empty.nextToken();
          payload = reader.read(empty);
        }
      }
      return payload;
    } catch (StreamConstraintsException e) {
      throw ProtocolException.badRequest("frame exceeds parser limits: " + Frames.firstLine(e));
    } catch (IOException e) {
      throw ProtocolException.badRequest("malformed JSON: " + Frames.firstLine(e));
    }
  }

  private static void expectObject(JsonParser p, String field) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw wrongType(field);
    }
  }

  /** A scalar as text (numbers and booleans as databind coerces them); null for null. */
  private static String text(JsonParser p, String field) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t.isScalarValue()) {
      return p.getText();
    }
    throw wrongType(field);
  }

  /** An integer (a numeric string or a float is coerced as databind does); null for null. */
  private static Long number(JsonParser p, String field) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
      return p.getLongValue();
    }
    if (t == JsonToken.VALUE_STRING) {
      String s = p.getText().trim();
      if (s.isEmpty()) {
        return null;
      }
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException e) {
        throw ProtocolException.badRequest("bad value for '" + field + "'");
      }
    }
    throw wrongType(field);
  }

  private static Boolean bool(JsonParser p, String field) throws IOException {
    JsonToken t = p.currentToken();
    return switch (t) {
      case VALUE_NULL -> null;
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_STRING -> switch (p.getText().trim()) {
        case "true", "True", "TRUE" -> Boolean.TRUE;
        case "false", "False", "FALSE" -> Boolean.FALSE;
        case "" -> null;
        default -> throw ProtocolException.badRequest("bad value for '" + field + "'");
      };
      case VALUE_NUMBER_INT -> p.getLongValue() != 0;
      default -> throw wrongType(field);
    };
  }

  private static ProtocolException wrongType(String field) {
    return ProtocolException.badRequest("bad value for '" + field + "'");
  }
}
