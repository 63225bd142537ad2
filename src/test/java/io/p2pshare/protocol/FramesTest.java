package io.p2pshare.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Codec round trips for every message, and every way a frame can be bad → its error code. */
class FramesTest {
  private static final String SHA = "ab".repeat(32);
  private static final PeerAddress PEER2 = new PeerAddress("peer2", "127.0.0.1", 7101);
  private static final ReplicationTask TASK =
      new ReplicationTask("t1", "peer2_mb_0003.bin", 1048576L, SHA, PEER2);

  static Stream<Arguments> everyMessage() {
    Map<String, FileMeta> files = new LinkedHashMap<>();
    files.put("peer1_kb_0001.txt", new FileMeta(1024L, SHA));
    files.put("peer1_kb_0002.txt", new FileMeta(2048L, null));
    return Stream.of(
        Arguments.of(MessageType.REGISTRY_REQUEST, new RegistryRequest(PEER2, files, "add", "tok")),
        Arguments.of(MessageType.REGISTRY_RESPONSE,
            new RegistryResponse("ok", 1100, "tok", 5000L, true, List.of(TASK))),
        Arguments.of(MessageType.SEARCH_REQUEST,
            new SearchRequest(new SearchQuery(null, "kb", 1L, 4096L, 10))),
        Arguments.of(MessageType.SEARCH_RESPONSE, new SearchResponse("ok", "peer2_kb_0050.txt",
            List.of(new SearchResult("peer2", PEER2, new FileMeta(1024L, SHA), null)), null)),
        Arguments.of(MessageType.SEARCH_RESPONSE, new SearchResponse("ok", null,
            List.of(new SearchResult("peer2", PEER2, new FileMeta(1024L, SHA), "a.txt")), true)),
        Arguments.of(MessageType.HEARTBEAT, new HeartbeatRequest("tok")),
        Arguments.of(MessageType.HEARTBEAT_RESPONSE, TasksResponse.ok(List.of(TASK))),
        Arguments.of(MessageType.REPLICATION_TASKS, TasksResponse.ok(List.of(TASK))),
        Arguments.of(MessageType.REPLICATION_REPORT,
            new ReplicationReport("tok", "t1", "peer2_mb_0003.bin", "failed", "source gone")),
        Arguments.of(MessageType.REPLICATION_REPORT_RESPONSE, Ack.OK),
        Arguments.of(MessageType.UNREGISTER, new UnregisterRequest("tok")),
        Arguments.of(MessageType.UNREGISTER_RESPONSE, Ack.OK),
        Arguments.of(MessageType.STATS_RESPONSE, new StatsResponse("ok", 3, 1, 1100L, 2200L, 0L,
            new StatsResponse.TaskCounts(1L, 2L, 3L, 4L), 12345L)),
        Arguments.of(MessageType.OBTAIN_REQUEST, new TransferRequest("peer2_mb_0001.bin", 0L, 1048576L)),
        Arguments.of(MessageType.REPLICATE_REQUEST, new TransferRequest("peer2_mb_0001.bin", null, null)),
        Arguments.of(MessageType.OBTAIN_RESPONSE, new TransferHeader("ok", "f", 3L, 3L, 0L, 3L, SHA, null, null)),
        Arguments.of(MessageType.MANIFEST_RESPONSE,
            new ManifestResponse("ok", "f", 3L, SHA, 4194304L, List.of(SHA))),
        Arguments.of(MessageType.ERROR, ErrorReply.of(ErrorCode.NOT_FOUND, "no such file")));
  }

  @ParameterizedTest
  @MethodSource("everyMessage")
  void roundTrip(String type, Object payload) {
    byte[] line = Frames.encode(Envelope.of(type, "peer1", "req-1", payload));
    assertEquals('\n', line[line.length - 1]);
    assertEquals(1, count(line, (byte) '\n'), "one frame is one line");
    Envelope back = Frames.decode(line, 0, line.length - 1);
    assertEquals(type, back.type());
    assertEquals("peer1", back.peerId());
    assertEquals("req-1", back.requestId());
    assertEquals(Envelope.VERSION, back.version());
    assertEquals(payload, back.payloadAs(payload.getClass()));
  }

  @Test
  void stats_request_has_an_empty_payload() {
    Envelope e = decode("{\"type\":\"STATS_REQUEST\",\"payload\":{}}");
    assertEquals(MessageType.STATS_REQUEST, e.type());
    assertTrue(e.payloadIsObject());
  }

  @Test
  void base_client_frame_without_extensions_decodes() {
    Envelope e = decode("{\"type\":\"REGISTRY_REQUEST\",\"timestamp\":1732445000123,\"version\":\"1.0\","
        + "\"peer_id\":\"peer1\",\"request_id\":\"x\",\"payload\":{\"files\":{\"a.txt\":{\"size_bytes\":5}}}}");
    RegistryRequest r = e.payloadAs(RegistryRequest.class);
    assertNull(r.peer());
    assertNull(r.token());
    assertEquals("full", r.modeOrFull());
    assertEquals(5L, r.files().get("a.txt").sizeBytes());
  }

  @Test
  void unknown_fields_are_ignored() {
    Envelope e = decode("{\"type\":\"HEARTBEAT\",\"future\":[1,2],\"payload\":{\"token\":\"t\",\"x\":{\"y\":1}}}");
    assertEquals("t", e.payloadAs(HeartbeatRequest.class).token());
  }

  static Stream<Arguments> badFrames() {
    return Stream.of(
        Arguments.of("malformed JSON", "{\"type\":\"SEARCH_REQUEST\",", "malformed JSON"),
        Arguments.of("not an object", "[1,2,3]", "JSON object"),
        Arguments.of("missing type", "{\"payload\":{}}", "'type'"),
        Arguments.of("payload not an object", "{\"type\":\"HEARTBEAT\",\"payload\":5}", "'payload'"),
        Arguments.of("too deep", "{\"type\":\"X\",\"payload\":" + "[".repeat(100) + "]".repeat(100) + "}",
            "parser limits"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFrames")
  void bad_frames_are_BAD_REQUEST(String what, String line, String messagePart) {
    ProtocolException e = assertThrows(ProtocolException.class, () -> decode(line));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertTrue(e.getMessage().contains(messagePart), e.getMessage());
  }

  @Test
  void non_utf8_bytes_are_BAD_REQUEST() {
    byte[] bad = "{\"type\":\"HEARTBEAT\",\"payload\":{\"token\":\"\u00ff\u00fe\"}}".getBytes(StandardCharsets.ISO_8859_1);
    ProtocolException e = assertThrows(ProtocolException.class, () -> Frames.decode(bad));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
  }

  static Stream<Arguments> badPayloads() {
    return Stream.of(
        Arguments.of(HeartbeatRequest.class, "{}", "token"),
        Arguments.of(UnregisterRequest.class, "{}", "token"),
        Arguments.of(RegistryRequest.class, "{\"peer\":{\"peer_id\":\"p\"}}", "files"),
        Arguments.of(RegistryRequest.class, "{\"files\":{},\"mode\":\"merge\"}", "mode"),
        Arguments.of(RegistryRequest.class, "{\"files\":[1]}", "files"),
        Arguments.of(RegistryRequest.class, "{\"files\":{\"a\":{\"size_bytes\":\"big\"}}}", "size_bytes"),
        Arguments.of(SearchRequest.class, "{}", "query"),
        Arguments.of(SearchRequest.class, "{\"query\":{}}", "file_name"),
        Arguments.of(SearchRequest.class, "{\"query\":{\"file_name\":\"a\",\"limit\":\"ten\"}}", "limit"),
        Arguments.of(SearchRequest.class, "{\"query\":{\"file_name\":\"a\",\"limit\":0}}", "limit"),
        Arguments.of(ReplicationReport.class, "{\"token\":\"t\",\"task_id\":\"x\",\"status\":\"meh\"}", "status"),
        Arguments.of(TransferRequest.class, "{\"file_name\":\"a\",\"offset\":-1}", "offset"));
  }

  @ParameterizedTest
  @MethodSource("badPayloads")
  void missing_fields_and_wrong_types_are_BAD_REQUEST(Class<?> cls, String payload, String field) {
    Envelope e = decode("{\"type\":\"T\",\"payload\":" + payload + "}");
    ProtocolException ex = assertThrows(ProtocolException.class, () -> e.payloadAs(cls));
    assertEquals(ErrorCode.BAD_REQUEST, ex.code());
    assertTrue(ex.getMessage().contains(field), ex.getMessage());
  }

  @Test
  void oversize_frame_is_FRAME_TOO_LARGE_then_drained() {
    LineDecoder d = new LineDecoder(1024);
    var out = d.feed(akka.util.ByteString.fromArray(new byte[2000]));
    assertEquals(List.of(LineDecoder.TooLarge.INSTANCE), out);
    assertTrue(d.isDraining());
    assertEquals(List.of(), d.feed(akka.util.ByteString.fromString("{\"type\":\"X\"}\n")));
  }

  private static Envelope decode(String s) {
    return Frames.decode(s.getBytes(StandardCharsets.UTF_8));
  }

  private static int count(byte[] b, byte x) {
    int n = 0;
    for (byte v : b) {
      if (v == x) {
        n++;
      }
    }
    return n;
  }
}
