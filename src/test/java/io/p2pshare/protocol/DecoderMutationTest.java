package io.p2pshare.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A short, seeded mutation fuzz that runs in every `make test`: valid frames of every type,
 * bit-flipped, truncated, spliced and re-chunked; no exception other than an error reply may
 * escape the decoder or the parser.
 */
class DecoderMutationTest {
  static final List<String> SEEDS = List.of(
      "{\"type\":\"REGISTRY_REQUEST\",\"timestamp\":1,\"version\":\"1.0\",\"peer_id\":\"peer1\",\"request_id\":\"r1\",\"payload\":{\"peer\":{\"peer_id\":\"peer1\",\"host\":\"127.0.0.1\",\"port\":7100},\"files\":{\"peer1_kb_0001.txt\":{\"size_bytes\":1024,\"sha256\":\"ab\"}},\"mode\":\"full\",\"token\":\"t\"}}",
      "{\"type\":\"REGISTRY_REQUEST\",\"peer_id\":\"peer2\",\"payload\":{\"files\":{\"a.txt\":{\"size_bytes\":1}}}}",
      "{\"type\":\"SEARCH_REQUEST\",\"timestamp\":1,\"version\":\"1.0\",\"peer_id\":\"p\",\"request_id\":\"r\",\"payload\":{\"query\":{\"file_name\":\"peer2_kb_0050.txt\"}}}",
      "{\"type\":\"SEARCH_REQUEST\",\"payload\":{\"query\":{\"contains\":\"kb\",\"min_size\":1,\"max_size\":2048,\"limit\":10}}}",
      "{\"type\":\"HEARTBEAT\",\"payload\":{\"token\":\"abc\"}}",
      "{\"type\":\"REPLICATION_REPORT\",\"payload\":{\"token\":\"t\",\"task_id\":\"x\",\"file_name\":\"f\",\"status\":\"failed\",\"error\":\"e\"}}",
      "{\"type\":\"UNREGISTER\",\"payload\":{\"token\":\"t\"}}",
      "{\"type\":\"STATS_REQUEST\",\"payload\":{}}",
      "{\"type\":\"OBTAIN_REQUEST\",\"payload\":{\"file_name\":\"peer2_mb_0001.bin\",\"offset\":0,\"length\":1048576}}",
      "{\"type\":\"MANIFEST_REQUEST\",\"payload\":{\"file_name\":\"x.bin\"}}",
      "{\"type\":\"OBTAIN_RESPONSE\",\"payload\":{\"status\":\"ok\",\"file_name\":\"a\",\"file_size\":3,\"chunk_size\":3,\"offset\":0,\"length\":3,\"sha256\":\"00\"}}",
      "{\"type\":\"MANIFEST_RESPONSE\",\"payload\":{\"status\":\"ok\",\"file_name\":\"a\",\"file_size\":3,\"sha256\":\"00\",\"piece_size\":4194304,\"pieces\":[\"00\"]}}",
      "{\"type\":\"REPLICATION_TASKS\",\"payload\":{\"replication_tasks\":[{\"task_id\":\"t\",\"file_name\":\"f\",\"size_bytes\":1,\"sha256\":\"0\",\"source\":{\"peer_id\":\"peer2\",\"host\":\"h\",\"port\":1}}]}}");

  private static final byte[] INTERESTING = "{}[]\":,\n\r\\0-9eE.nulltruefalse\u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);

  @Test
  void seedsParseCleanly() {
    for (String s : SEEDS) {
      assertTrue(FuzzTarget.parse(s.getBytes(StandardCharsets.UTF_8)), s);
    }
  }

  @Test
  void mutatedFramesNeverEscapeAsAnythingButAnErrorReply() {
    Random rnd = new Random(20261124L);
    int parsed = 0;
    int rejected = 0;
    for (int i = 0; i < 30_000; i++) {
      byte[] frame = mutate(SEEDS.get(rnd.nextInt(SEEDS.size())).getBytes(StandardCharsets.UTF_8), rnd);
      byte[] stream = new byte[frame.length + 1];
      System.arraycopy(frame, 0, stream, 0, frame.length);
      stream[frame.length] = '\n';
      FuzzTarget.Outcome o = FuzzTarget.run(chunk(stream, rnd), 1 + rnd.nextInt(2048));
      parsed += o.parsed();
      rejected += o.rejected();
    }
    // The mutations must exercise both paths, or this test proves nothing.
    assertTrue(parsed > 1000, "parsed " + parsed);
    assertTrue(rejected > 1000, "rejected " + rejected);
  }

  @Test
  void oversizedFrameYieldsTooLargeOnceThenDrains() {
    byte[] big = new byte[10_000];
    java.util.Arrays.fill(big, (byte) 'x');
    FuzzTarget.Outcome o = FuzzTarget.run(List.of(big, "\n{\"type\":\"STATS_REQUEST\"}\n".getBytes()), 100);
    assertTrue(o.tooLarge());
    assertEquals(0, o.frames());
  }

  static byte[] mutate(byte[] in, Random rnd) {
    byte[] b = in.clone();
    int ops = 1 + rnd.nextInt(4);
    for (int k = 0; k < ops; k++) {
      switch (rnd.nextInt(6)) {
        case 0 -> b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
        case 1 -> b = java.util.Arrays.copyOf(b, Math.max(1, rnd.nextInt(b.length)));
        case 2 -> b[rnd.nextInt(b.length)] = INTERESTING[rnd.nextInt(INTERESTING.length)];
        case 3 -> {
          int at = rnd.nextInt(b.length);
          byte[] n = new byte[b.length + 1];
          System.arraycopy(b, 0, n, 0, at);
          n[at] = (byte) rnd.nextInt(256);
          System.arraycopy(b, at, n, at + 1, b.length - at);
          b = n;
        }
        case 4 -> {
          // replace a value with a number, string or nested structure
          String[] values = {"1e999999", "-1", "\"\"", "[]", "{}", "null", "9223372036854775808", "[[[[[[]]]]]]"};
          String s = new String(b, StandardCharsets.ISO_8859_1);
          int colon = s.indexOf(':', rnd.nextInt(s.length()));
          if (colon > 0) {
            s = s.substring(0, colon + 1) + values[rnd.nextInt(values.length)] + s.substring(colon + 1);
            b = s.getBytes(StandardCharsets.ISO_8859_1);
          }
        }
        default -> { } // keep this one valid
      }
    }
    return b;
  }

  static List<byte[]> chunk(byte[] stream, Random rnd) {
    List<byte[]> out = new ArrayList<>();
    int at = 0;
    while (at < stream.length) {
      int n = 1 + rnd.nextInt(Math.min(64, stream.length - at));
      out.add(java.util.Arrays.copyOfRange(stream, at, at + n));
      at += n;
    }
    return out;
  }
}
