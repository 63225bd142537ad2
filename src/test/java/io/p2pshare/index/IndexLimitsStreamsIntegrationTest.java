package io.p2pshare.index;

import org.junit.jupiter.api.BeforeAll;

/** Every test of {@link IndexLimitsIntegrationTest} with the plain control port on Akka Streams TCP ({@code control_loops: 0}). */
class IndexLimitsStreamsIntegrationTest extends IndexLimitsIntegrationTest {
  @BeforeAll
  static void start() throws Exception {
    startWith(IndexOnLoopback.STREAMS_TCP);
  }
}
