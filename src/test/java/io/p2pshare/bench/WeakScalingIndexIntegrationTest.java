package io.p2pshare.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import io.p2pshare.config.AppConfig;
import io.p2pshare.config.Endpoint;
import io.p2pshare.index.ControlServer;
import io.p2pshare.index.IndexGuardian;
import io.p2pshare.index.IndexPreload;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.FrameSocket;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A tiny weak-scaling run against the real index, in-process on an ephemeral port. */
class WeakScalingIndexIntegrationTest {
  static ActorSystem<IndexGuardian.Command> system;
  static Endpoint index;

  @BeforeAll
  static void startIndex() throws Exception {
    system = ActorSystem.create(IndexGuardian.create(
        new IndexGuardian.Settings("127.0.0.1", 0, AppConfig.defaults(), null)), "bench-index-test");
    ControlServer.Binding b = AskPattern.<IndexGuardian.Command, ControlServer.Binding>ask(
            system, IndexGuardian.GetBinding::new, Duration.ofSeconds(30), system.scheduler())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    InetSocketAddress at = ((ControlServer.Bound) b).address();
    index = new Endpoint("127.0.0.1", at.getPort());
    // The index's own benchmark helper registers names for a live (heartbeating) peer.
    IndexPreload.start(at, "peer1_kb_,21,1,4", 5_000);
    awaitSearchable("peer1_kb_0020.txt");
  }

  @AfterAll
  static void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static void awaitSearchable(String name) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try (FrameSocket s = FrameSocket.connect(index.host(), index.port(), 10_000, "test")) {
        Envelope r = s.request(MessageType.SEARCH_REQUEST, new SearchRequest(SearchQuery.exact(name)));
        if (r.payload().path("results").size() > 0) {
          return;
        }
      } catch (IOException e) {
        // not yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError(name + " never became searchable");
  }

  @Test
  void everySearchFindsItsHolderAtEveryLevel() throws Exception {
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      names.add(Workload.name("peer1", "kb", i));
    }
    WeakScaling.Params p = new WeakScaling.Params(index, List.of(1, 2, 4), 30, 20, 42, 30_000);
    BenchRun run = new WeakScaling(p, names, new PrintStream(new ByteArrayOutputStream(), true))
        .run("test");
    assertEquals(3, run.levels().size());
    WeakLevel four = (WeakLevel) run.levels().get(2);
    assertEquals(120, four.requests());
    assertEquals(0, four.errors());
    assertTrue(four.requestsPerSecond() > 0);
  }

  @Test
  void aNameNobodyHoldsCountsAsAnError() throws Exception {
    SearchLoad.Outcome o = new SearchLoad(index, List.of("peer9_kb_0001.txt"), 30_000).run(1, 3, 1);
    assertEquals(3, o.errors());
  }
}
