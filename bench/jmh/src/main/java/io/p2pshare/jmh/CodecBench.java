package io.p2pshare.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.Frames;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchRequest;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Frames/s for one SEARCH_REQUEST encoded and decoded (envelope, payload record with its
 * validation), against the ceiling: a plain Jackson mapper writing and reading a bare
 * POJO of the same shape.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@State(Scope.Thread)
public class CodecBench {
  /** The ceiling's message: same fields, no envelope record, no validation. */
  public static final class Plain {
    public String type = MessageType.SEARCH_REQUEST;
    public long timestamp = 1732445000123L;
    public String version = "1.0";
    public String peer_id = "peer1";
    public String request_id = "6f1c2a9e-0b7d-4c55-9d1e-3f0a7b2c4d5e";
    public Payload payload = new Payload();
  }

  public static final class Payload {
    public Query query = new Query();
  }

  public static final class Query {
    public String file_name = "peer2_kb_0050.txt";
  }

  private final ObjectMapper plain = new ObjectMapper();
  private final Plain plainMessage = new Plain();
  private final Envelope envelope = Envelope.of(MessageType.SEARCH_REQUEST, "peer1",
      "6f1c2a9e-0b7d-4c55-9d1e-3f0a7b2c4d5e", new SearchRequest(SearchQuery.exact("peer2_kb_0050.txt")));

  @Benchmark
  public SearchRequest frames() {
    byte[] line = Frames.encode(envelope);
    return Frames.decode(line, 0, line.length - 1).payloadAs(SearchRequest.class);
  }

  @Benchmark
  public Plain plainJacksonCeiling() throws Exception {
    byte[] json = plain.writeValueAsBytes(plainMessage);
    return plain.readValue(json, Plain.class);
  }
}
