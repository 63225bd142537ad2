package io.p2pshare.protocol;

import akka.util.ByteString;
import java.util.List;
import java.util.Map;

/**
 * What the fuzzers drive: bytes cut into chunks → LineDecoder → Frames.decode → every payload
 * record. The only failure allowed is a ProtocolException (an error reply); anything else
 * escaping, or a line over the limit, is a bug.
 */
final class FuzzTarget {
  static final Map<String, Class<?>> PAYLOADS = Map.ofEntries(
      Map.entry(MessageType.REGISTRY_REQUEST, RegistryRequest.class),
      Map.entry(MessageType.SEARCH_REQUEST, SearchRequest.class),
      Map.entry(MessageType.HEARTBEAT, HeartbeatRequest.class),
      Map.entry(MessageType.REPLICATION_REPORT, ReplicationReport.class),
      Map.entry(MessageType.UNREGISTER, UnregisterRequest.class),
      Map.entry(MessageType.OBTAIN_REQUEST, TransferRequest.class),
      Map.entry(MessageType.REPLICATE_REQUEST, TransferRequest.class),
      Map.entry(MessageType.MANIFEST_REQUEST, TransferRequest.class),
      Map.entry(MessageType.OBTAIN_RESPONSE, TransferHeader.class),
      Map.entry(MessageType.MANIFEST_RESPONSE, ManifestResponse.class),
      Map.entry(MessageType.REGISTRY_RESPONSE, RegistryResponse.class),
      Map.entry(MessageType.SEARCH_RESPONSE, SearchResponse.class),
      Map.entry(MessageType.STATS_RESPONSE, StatsResponse.class),
      Map.entry(MessageType.REPLICATION_TASKS, TasksResponse.class));

  /** Outcome counts, so tests can check the target did real work. */
  record Outcome(int frames, int parsed, int rejected, boolean tooLarge) {}

  static Outcome run(List<byte[]> chunks, int maxFrameBytes) {
    LineDecoder decoder = new LineDecoder(maxFrameBytes);
    int frames = 0;
    int parsed = 0;
    int rejected = 0;
    boolean tooLarge = false;
    for (byte[] chunk : chunks) {
      for (LineDecoder.Frame f : decoder.feed(ByteString.fromArray(chunk))) {
        if (f instanceof LineDecoder.Line line) {
          if (tooLarge) {
            throw new AssertionError("a frame was decoded after TooLarge");
          }
          if (line.bytes().size() > maxFrameBytes) {
            throw new AssertionError("frame of " + line.bytes().size() + " bytes over limit " + maxFrameBytes);
          }
          frames++;
          if (parse(line.bytes().toArray())) {
            parsed++;
          } else {
            rejected++;
          }
        } else {
          if (tooLarge) {
            throw new AssertionError("TooLarge emitted twice");
          }
          tooLarge = true;
        }
      }
    }
    return new Outcome(frames, parsed, rejected, tooLarge);
  }

  /** True when the frame and its payload parse; false for a clean ProtocolException. */
  static boolean parse(byte[] line) {
    try {
      Envelope env = Frames.decode(line);
      Class<?> cls = PAYLOADS.get(env.type());
      if (cls != null) {
        env.payloadAs(cls);
      }
      Frames.encode(env); // whatever we accepted must encode again
      return true;
    } catch (ProtocolException e) {
      if (e.code() == null || e.getMessage() == null || e.getMessage().isBlank()) {
        throw new AssertionError("ProtocolException without code or message", e);
      }
      return false;
    }
  }

  private FuzzTarget() {}
}
