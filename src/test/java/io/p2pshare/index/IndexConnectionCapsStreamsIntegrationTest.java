package io.p2pshare.index;

import org.junit.jupiter.api.BeforeAll;

/** Every test of {@link IndexConnectionCapsIntegrationTest} with the plain control port on Akka Streams TCP ({@code control_loops: 0}). */
class IndexConnectionCapsStreamsIntegrationTest extends IndexConnectionCapsIntegrationTest {
  @BeforeAll
  static void start() throws Exception {
    startWith(IndexOnLoopback.STREAMS_TCP);
  }
}
