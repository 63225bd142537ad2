package io.p2pshare.index;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import io.p2pshare.protocol.ErrorReply;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.protocol.RegistryRequest;
import io.p2pshare.protocol.RegistryResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** Shards + registry (+ router) spawned in a test kit, with a switchable fake prober. */
final class IndexFixture {
  static final PeerRegistry.Settings SETTINGS = new PeerRegistry.Settings(1000, 3000, 5000, 7100);

  final ActorTestKit kit;
  final ShardRouting routing;
  final IndexView view;
  final List<ActorRef<FileIndexShard.Command>> shards = new ArrayList<>();
  final ActorRef<PeerRegistry.Command> registry;
  final AtomicBoolean probeSucceeds = new AtomicBoolean(false);

  IndexFixture(ActorTestKit kit, int shardCount) {
    this.kit = kit;
    this.routing = new ShardRouting(shardCount);
    this.view = new IndexView(routing);
    for (int k = 0; k < shardCount; k++) {
      shards.add(kit.spawn(FileIndexShard.create(k, view)));
    }
    registry = kit.spawn(PeerRegistry.create(SETTINGS, routing, shards,
        (host, port) -> CompletableFuture.completedFuture(probeSucceeds.get())));
  }

  PeerRegistry.Reply register(String peerId, Map<String, FileMeta> files, String mode, String token) {
    return registerAs(peerId, new RegistryRequest(new PeerAddress(peerId, "127.0.0.1", null), files, mode, token));
  }

  PeerRegistry.Reply registerAs(String envelopePeerId, RegistryRequest req) {
    TestProbe<PeerRegistry.Reply> p = kit.createTestProbe();
    registry.tell(new PeerRegistry.Register(req, envelopePeerId, "127.0.0.1", "r", p.getRef()));
    return p.receiveMessage();
  }

  String token(PeerRegistry.Reply r) {
    if (!(r.payload() instanceof RegistryResponse ok)) {
      throw new AssertionError("expected ok, got " + r.payload());
    }
    return ok.token();
  }

  static String code(PeerRegistry.Reply r) {
    return r.payload() instanceof ErrorReply e ? e.code() : "ok";
  }

  PeerRegistry.Reply heartbeat(String peerId, String token) {
    TestProbe<PeerRegistry.Reply> p = kit.createTestProbe();
    registry.tell(new PeerRegistry.Heartbeat(peerId, token, p.getRef()));
    return p.receiveMessage();
  }

  /** Names with a live holder {@code peerId}. */
  List<String> liveNamesOf(String peerId, List<String> candidates) {
    List<String> out = new ArrayList<>();
    for (String n : candidates) {
      for (Holder h : view.exact(n, null)) {
        if (h.peer().peerId().equals(peerId)) {
          out.add(n);
        }
      }
    }
    return out;
  }

  static Map<String, FileMeta> files(String... names) {
    Map<String, FileMeta> m = new LinkedHashMap<>();
    for (String n : names) {
      m.put(n, new FileMeta(1024L, null));
    }
    return m;
  }
}
