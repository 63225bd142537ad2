package io.p2pshare.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pshare.config.Endpoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SearchLoadTest {
  @Test
  void everyClientSendsItsShareAndLatenciesAreRecorded() throws Exception {
    try (FakeIndex index = new FakeIndex(Set.of("peer1_kb_0001.txt", "peer1_kb_0002.txt"))) {
      SearchLoad load = new SearchLoad(new Endpoint("127.0.0.1", index.port()),
          List.of("peer1_kb_0001.txt", "peer1_kb_0002.txt"), 30_000);
      SearchLoad.Outcome o = load.run(3, 50, 7);
      assertEquals(150, o.requests());
      assertEquals(0, o.errors());
      assertEquals(150, o.latencies().getTotalCount());
      assertEquals(150, index.served.get());
    }
  }

  @Test
  void aNameTheIndexDoesNotKnowIsAnError() throws Exception {
    try (FakeIndex index = new FakeIndex(Set.of("known.txt"))) {
      SearchLoad load = new SearchLoad(new Endpoint("127.0.0.1", index.port()),
          List.of("missing.txt"), 30_000);
      SearchLoad.Outcome o = load.run(2, 5, 1);
      assertEquals(10, o.requests());
      assertEquals(10, o.errors());
    }
  }

  @Test
  void weakScalingWritesOneLevelPerConcurrency() throws Exception {
    try (FakeIndex index = new FakeIndex(Set.of("a.txt"))) {
      WeakScaling.Params p = new WeakScaling.Params(new Endpoint("127.0.0.1", index.port()),
          List.of(1, 2), 20, 10, 42, 30_000);
      ByteArrayOutputStream progress = new ByteArrayOutputStream();
      BenchRun run = new WeakScaling(p, List.of("a.txt"),
          new PrintStream(progress, true, StandardCharsets.UTF_8)).run("test");
      assertEquals(2, run.levels().size());
      WeakLevel two = (WeakLevel) run.levels().get(1);
      assertEquals(2, two.concurrency());
      assertEquals(40, two.requests());
      assertTrue(two.requestsPerSecond() > 0);
      assertTrue(two.latencyMs().p50() > 0);
      assertFalse(progress.toString(StandardCharsets.UTF_8).isEmpty());
    }
  }

  @Test
  void replyCheckNeedsOkStatusAndAResult() {
    assertTrue(ok("{\"payload\":{\"status\":\"ok\",\"results\":[{\"peer_id\":\"p\"}]}}"));
    assertTrue(ok("{\"payload\": {\"status\": \"ok\", \"results\": [ {\"peer_id\": \"p\"}]}}"));
    assertFalse(ok("{\"payload\":{\"status\":\"ok\",\"results\":[]}}"));
    assertFalse(ok("{\"payload\":{\"status\":\"ok\",\"results\":[ ]}}"));
    assertFalse(ok("{\"payload\":{\"status\":\"error\",\"code\":\"BAD_REQUEST\"}}"));
    assertFalse(ok("garbage"));
  }

  private static boolean ok(String line) {
    byte[] b = line.getBytes(StandardCharsets.UTF_8);
    return SearchLoad.replyOk(b, 0, b.length);
  }
}
