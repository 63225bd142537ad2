package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import io.p2pshare.config.PeerSettings;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.FrameSocket;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchRequest;
import io.p2pshare.protocol.SearchResponse;
import io.p2pshare.testing.IndexProcess;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real index process, killed and restarted: the peer registers again by itself. */
class IndexRestartIntegrationTest {
  static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void cleanup() {
    testKit.shutdownTestKit();
  }

  static int holders(String index, String name) {
    try (FrameSocket s = FrameSocket.connect("127.0.0.1", Integer.parseInt(index.split(":")[1]), 5000, "t")) {
      Envelope r = s.request(MessageType.SEARCH_REQUEST, new SearchRequest(SearchQuery.exact(name)));
      SearchResponse resp = r.payloadAs(SearchResponse.class);
      return resp.results() == null ? 0 : resp.results().size();
    } catch (Exception e) {
      return -1;
    }
  }

  @Test
  void peersRegisterAgainAfterTheIndexRestartsAndSearchWorks(@TempDir Path tmp) throws Exception {
    try (IndexProcess index = new IndexProcess(tmp.resolve("index"),
        "{\"replication\": {\"heartbeat_interval_ms\": 500, \"peer_expiry_ms\": 5000}}").start()) {
      PeerSettings s = PeerGuardianTest.settings("peerR", tmp, index.port()).withHeartbeat(500);
      Files.writeString(s.sharedDir().resolve("r.txt"), "restart me");
      CompletableFuture<InetSocketAddress> started = new CompletableFuture<>();
      ActorRef<PeerGuardian.Command> g = testKit.spawn(
          PeerGuardian.create(s, PeerGuardianTest.VIEW_PORT, Duration.ofMillis(500), started));
      started.get(30, TimeUnit.SECONDS);
      IndexClientTest.await(() -> holders(index.address(), "r.txt") == 1, "first registration");

      index.kill();
      index.start(); // empty: it forgot every peer and file
      IndexClientTest.await(() -> holders(index.address(), "r.txt") == 1, "re-registration");
      testKit.stop(g);
    }
  }
}
