package io.p2pshare.protocol;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;

/**
 * Jazzer fuzz test of the frame decoder and message parser. In `make test` it replays the seed
 * corpus (valid frames of every type, in DecoderFuzzTestInputs/frames); `mvn -Pfuzz test`
 * fuzzes for real with coverage guidance.
 */
class DecoderFuzzTest {
  @FuzzTest(maxDuration = "2m")
  void frames(FuzzedDataProvider data) {
    int limit = data.consumeInt(16, 8192);
    List<byte[]> chunks = new ArrayList<>();
    while (data.remainingBytes() > 0) {
      chunks.add(data.consumeBytes(data.consumeInt(1, 1024)));
    }
    FuzzTarget.run(chunks, limit);
  }
}
