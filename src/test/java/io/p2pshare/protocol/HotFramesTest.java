package io.p2pshare.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The streaming codec must read and write exactly what Frames + databind do. */
class HotFramesTest {
  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Databind's reading of a line, or its error code. */
  private static <T> Object viaDatabind(String line, Class<T> cls) {
    try {
      return Frames.decode(utf8(line)).payloadAs(cls);
    } catch (ProtocolException e) {
      return e.code();
    }
  }

  private static Object viaHot(String line, Function<byte[], ?> reader) {
    try {
      return reader.apply(utf8(line));
    } catch (ProtocolException e) {
      return e.code();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"type\":\"OBTAIN_RESPONSE\",\"payload\":{\"status\":\"ok\",\"file_name\":\"a.txt\",\"file_size\":1024,\"chunk_size\":65536,\"offset\":0,\"length\":1024,\"sha256\":\"ab\"}}",
      "{\"payload\":{\"status\":\"ok\",\"file_name\":\"a.txt\",\"file_size\":5},\"type\":\"OBTAIN_RESPONSE\",\"timestamp\":1,\"version\":\"1.0\",\"peer_id\":\"p\",\"request_id\":\"r\"}",
      "{\"type\":\"OBTAIN_RESPONSE\",\"payload\":{\"status\":\"error\",\"error\":\"no such file\",\"code\":\"NOT_FOUND\"}}",
      "{\"type\":\"OBTAIN_RESPONSE\",\"payload\":{\"status\":\"ok\",\"file_size\":\"77\",\"extra\":{\"a\":[1,2,{\"b\":null}]},\"more\":[[]],\"length\":null}}",
      "{\"type\":\"OBTAIN_RESPONSE\",\"payload\":{\"status\":\"ok\",\"file_size\":12.0,\"sha256\":null}}",
      "{\"type\":\"OBTAIN_RESPONSE\",\"payload\":null}",
      "{\"type\":\"OBTAIN_RESPONSE\"}",
      "{\"type\":\"OBTAIN_RESPONSE\",\"payload\":{\"status\":\"ok\",\"file_size\":[1]}}",
      "{\"type\":\"OBTAIN_RESPONSE\",\"payload\":{\"status\":{\"x\":1}}}",
      "{\"type\":\"OBTAIN_RESPONSE\",\"payload\":{\"status\":\"ok\",\"length\":\"many\"}}",
      "{\"type\":\"OBTAIN_RESPONSE\",\"payload\":[1]}",
      "{\"type\":\"\",\"payload\":{}}",
      "{\"type\":7,\"payload\":{}}",
      "{\"payload\":{\"status\":\"ok\"}}",
      "[1,2]",
      "not json",
      "{\"type\":\"OBTAIN_RESPONSE\",\"payload\":{\"status\":\"ok\"",
      "",
  })
  void transferHeadersReadAsDatabindReadsThem(String line) {
    assertEquals(viaDatabind(line, TransferHeader.class), viaHot(line, HotFrames::transferHeader), line);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"type\":\"SEARCH_RESPONSE\",\"payload\":{\"status\":\"ok\",\"file_name\":\"a.txt\",\"results\":[{\"peer_id\":\"p1\",\"peer\":{\"peer_id\":\"p1\",\"host\":\"127.0.0.1\",\"port\":7100},\"meta\":{\"size_bytes\":3,\"sha256\":\"ab\"}}]}}",
      "{\"type\":\"SEARCH_RESPONSE\",\"payload\":{\"status\":\"ok\",\"truncated\":true,\"results\":[{\"peer_id\":\"p1\",\"peer\":{\"peer_id\":\"p1\",\"host\":\"h\",\"port\":\"7100\",\"x\":1},\"meta\":{\"size_bytes\":3},\"file_name\":\"n\",\"new\":{\"deep\":[1]}},{\"peer_id\":\"p2\",\"peer\":null,\"meta\":null}]}}",
      "{\"type\":\"SEARCH_RESPONSE\",\"payload\":{\"status\":\"ok\",\"results\":[]}}",
      "{\"type\":\"SEARCH_RESPONSE\",\"payload\":{\"status\":\"ok\",\"results\":null,\"truncated\":false}}",
      "{\"type\":\"SEARCH_RESPONSE\",\"payload\":{\"status\":\"error\",\"error\":\"bad\",\"code\":\"BAD_REQUEST\"}}",
      "{\"type\":\"SEARCH_RESPONSE\",\"payload\":{\"status\":\"ok\",\"results\":[{\"peer\":{\"host\":\"h\",\"port\":1}}]}}",
      "{\"type\":\"SEARCH_RESPONSE\",\"payload\":{\"status\":\"ok\",\"results\":{\"a\":1}}}",
      "{\"type\":\"SEARCH_RESPONSE\",\"payload\":{\"status\":\"ok\",\"results\":[{\"meta\":[1]}]}}",
      "{\"type\":\"SEARCH_RESPONSE\",\"payload\":{\"status\":\"ok\",\"results\":[{\"peer\":{\"peer_id\":\"p\",\"port\":99999999999}}]}}",
      "{\"type\":\"SEARCH_RESPONSE\",\"payload\":{\"status\":\"ok\",\"truncated\":\"maybe\"}}",
      "{\"type\":\"SEARCH_RESPONSE\",\"payload\":{\"status\":\"ok\",\"results\":[{\"peer_id\":\"p1\"}]",
  })
  void searchResponsesReadAsDatabindReadsThem(String line) {
    assertEquals(viaDatabind(line, SearchResponse.class), viaHot(line, HotFrames::searchResponse), line);
  }

  @Test
  void aTransferRequestIsTheFrameDatabindWrites() throws Exception {
    for (Long[] range : List.of(new Long[] {0L, 1024L}, new Long[] {null, null}, new Long[] {5L, null})) {
      String name = "odd \"name\"\\ \u00e9\u6587 \n.txt";
      JsonNode hot = Wire.MAPPER.readTree(HotFrames.transferRequest(MessageType.OBTAIN_REQUEST, "get-1",
          "get-1-7", name, range[0], range[1]));
      JsonNode databind = Wire.MAPPER.readTree(Frames.encode(Envelope.of(MessageType.OBTAIN_REQUEST,
          "get-1", "get-1-7", new TransferRequest(name, range[0], range[1]))));
      ((com.fasterxml.jackson.databind.node.ObjectNode) hot).remove("timestamp");
      ((com.fasterxml.jackson.databind.node.ObjectNode) databind).remove("timestamp");
      assertEquals(databind, hot);
    }
    byte[] line = HotFrames.transferRequest(MessageType.OBTAIN_REQUEST, "p", "r", "a.txt", 0L, 1L);
    assertEquals('\n', line[line.length - 1]);
    assertEquals(1, new String(line, StandardCharsets.UTF_8).chars().filter(c -> c == '\n').count(),
        "one line, newline only at the end");
    assertThrows(ProtocolException.class,
        () -> HotFrames.transferRequest(MessageType.OBTAIN_REQUEST, "p", "r", null, null, null));
  }
}
