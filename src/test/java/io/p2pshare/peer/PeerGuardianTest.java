package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.JsonNode;
import io.p2pshare.cli.Main;
import io.p2pshare.config.AppConfig;
import io.p2pshare.config.ConfigLoader;
import io.p2pshare.config.PeerSettings;
import io.p2pshare.protocol.Wire;
import io.p2pshare.testing.FakeIndex;
import io.p2pshare.testing.FakeTransferServer;
import io.p2pshare.transfer.FileEntry;
import io.p2pshare.transfer.Origin;
import io.p2pshare.transfer.PieceHasher;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A whole peer (guardian + children) against a fake index, serving through the published view. */
class PeerGuardianTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final List<FakeTransferServer> servers = new CopyOnWriteArrayList<>();

  @AfterAll
  static void cleanup() throws Exception {
    for (FakeTransferServer s : servers) {
      s.close();
    }
    testKit.shutdownTestKit();
  }

  /** Stands in for the transfer server: serves what the catalog's view holds. */
  static final TransferPort VIEW_PORT = (ctx, settings, files) -> {
    try {
      FakeTransferServer s = new FakeTransferServer(settings.peerId(),
          n -> files.lookup(n, Set.of(Origin.values())).map(FileEntry::path).orElse(null),
          settings.pieceSize());
      servers.add(s);
      return CompletableFuture.completedFuture(new InetSocketAddress("127.0.0.1", s.address().port()));
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
  };

  static PeerSettings settings(String id, Path data, int indexPort) {
    return PeerSettings.resolve(AppConfig.defaults(), new ConfigLoader(Map.of()),
        new PeerSettings.Flags(id, 0, "127.0.0.1:" + indexPort, data, null, null)).createDirs();
  }

  @Test
  void aPeerRegistersServesAndGetDownloadsVerified(@TempDir Path tmp) throws Exception {
    try (FakeIndex idx = FakeIndex.start()) {
      PeerSettings s = settings("peerX", tmp, idx.port());
      Path f = s.sharedDir().resolve("peerX_kb_0001.txt");
      Files.writeString(f, "x".repeat(1024));
      Path big = s.sharedDir().resolve("peerX_mb_0001.bin");
      byte[] b = new byte[9 * 1024 * 1024];
      new java.util.Random(1).nextBytes(b);
      Files.write(big, b);
      CompletableFuture<InetSocketAddress> started = new CompletableFuture<>();
      ActorRef<PeerGuardian.Command> g = testKit.spawn(
          PeerGuardian.create(s, VIEW_PORT, Duration.ofMillis(300), started));
      InetSocketAddress addr = started.get(30, TimeUnit.SECONDS);
      IndexClientTest.await(() -> idx.files.containsKey("peerX") && idx.files.get("peerX").size() == 2,
          "registration");
      assertEquals(PieceHasher.hash(f, 1).sha256(), idx.files.get("peerX").get("peerX_kb_0001.txt").sha256());
      assertEquals(addr.getPort(), idx.peers.get("peerX").port());

      // A file dropped into shared/ is announced by itself.
      Files.writeString(s.sharedDir().resolve("late.txt"), "late");
      IndexClientTest.await(() -> idx.files.get("peerX").containsKey("late.txt"), "add update");

      Path out = tmp.resolve("got");
      Cli r = cli("get", "peerX_kb_0001.txt", "peerX_mb_0001.bin", "--index", "127.0.0.1:" + idx.port(),
          "--out", out.toString(), "--json");
      assertEquals(0, r.code, r.err);
      JsonNode doc = Wire.MAPPER.readTree(r.out);
      assertEquals(2, doc.get("files").size());
      JsonNode first = doc.get("files").get(0);
      assertEquals("peerX_kb_0001.txt", first.get("file_name").asText());
      assertEquals(1024, first.get("size_bytes").asLong());
      assertEquals(PieceHasher.hash(f, 1).sha256(), first.get("sha256").asText());
      assertEquals("peerX", first.get("sources").get(0).asText());
      assertEquals(0, first.get("resumed_bytes").asLong());
      assertTrue(first.has("path") && first.has("seconds"));
      for (String k : new String[] {"bytes", "seconds", "bytes_per_second", "files_per_second"}) {
        assertTrue(doc.has(k), k);
      }
      assertEquals(1024 + b.length, doc.get("bytes").asLong());
      assertEquals(PieceHasher.hash(big, 1 << 22).sha256(),
          PieceHasher.hash(out.resolve("peerX_mb_0001.bin"), 1 << 22).sha256());

      Cli matched = cli("get", "--match", "peerx_", "--index", "127.0.0.1:" + idx.port(),
          "--out", tmp.resolve("m").toString(), "--json");
      assertEquals(0, matched.code, matched.err);
      assertEquals(2, Wire.MAPPER.readTree(matched.out).get("files").size());

      Cli missing = cli("get", "nope.bin", "--index", "127.0.0.1:" + idx.port(), "--out", out.toString());
      assertEquals(1, missing.code);
      assertTrue(missing.err.contains("NOT_FOUND"), missing.err);

      TestProbe<PeerGuardian.PeerStatus> st = testKit.createTestProbe();
      g.tell(new PeerGuardian.GetStatus(st.getRef()));
      PeerGuardian.PeerStatus status = st.receiveMessage(Duration.ofSeconds(20));
      assertTrue(status.index().registered());
      testKit.stop(g);
    }
  }

  @Test
  void aPeerDownloadsFromAnotherAndAnnouncesWhatItGot(@TempDir Path tmp) throws Exception {
    try (FakeIndex idx = FakeIndex.start()) {
      PeerSettings a = settings("peerA", tmp, idx.port());
      PeerSettings b = settings("peerB", tmp, idx.port());
      byte[] content = new byte[6 * 1024 * 1024]; // more than one 4 MiB piece
      new java.util.Random(3).nextBytes(content);
      Files.write(a.sharedDir().resolve("big.bin"), content);
      Files.writeString(a.sharedDir().resolve("small.txt"), "small");
      CompletableFuture<InetSocketAddress> sa = new CompletableFuture<>();
      CompletableFuture<InetSocketAddress> sb = new CompletableFuture<>();
      ActorRef<PeerGuardian.Command> ga = testKit.spawn(PeerGuardian.create(a, VIEW_PORT, Duration.ofMillis(300), sa));
      ActorRef<PeerGuardian.Command> gb = testKit.spawn(PeerGuardian.create(b, VIEW_PORT, Duration.ofMillis(300), sb));
      sa.get(30, TimeUnit.SECONDS);
      sb.get(30, TimeUnit.SECONDS);
      IndexClientTest.await(() -> idx.files.containsKey("peerA") && idx.files.get("peerA").size() == 2
          && idx.files.containsKey("peerB"), "both registered");
      TestProbe<PeerGuardian.Node> np = testKit.createTestProbe();
      gb.tell(new PeerGuardian.GetNode(np.getRef()));
      assertEquals("peerB", np.receiveMessage().settings().peerId());
      for (String name : List.of("big.bin", "small.txt")) {
        TestProbe<Download.Event> ev = testKit.createTestProbe();
        gb.tell(new PeerGuardian.StartDownload(name, ev.getRef()));
        Download.Event last;
        do {
          last = ev.receiveMessage(Duration.ofSeconds(30));
        } while (last instanceof Download.Progress);
        Download.Finished f = assertInstanceOf(Download.Finished.class, last, last.toString());
        assertEquals(b.downloadDir().resolve(name), f.path());
        assertEquals(List.of("peerA"), f.sources());
      }
      // What peerB downloaded it now serves and announces (add), without rehashing.
      IndexClientTest.await(() -> idx.files.get("peerB").containsKey("big.bin")
          && idx.files.get("peerB").containsKey("small.txt"), "peerB announces its downloads");
      assertEquals(idx.files.get("peerA").get("big.bin"), idx.files.get("peerB").get("big.bin"));
      TestProbe<Catalog.Listing> lp = testKit.createTestProbe();
      gb.tell(new PeerGuardian.GetNode(np.getRef()));
      np.receiveMessage().catalog().tell(new Catalog.ListFiles(Origin.DOWNLOADED, lp.getRef()));
      assertEquals(List.of("big.bin", "small.txt"),
          lp.receiveMessage().files().stream().map(FileEntry::name).toList());
      testKit.stop(ga);
      testKit.stop(gb);
    }
  }

  record Cli(int code, String out, String err) {}

  static Cli cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    synchronized (PeerGuardianTest.class) {
      try {
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code = Main.commandLine().execute(args);
        return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
      } finally {
        System.setOut(oldOut);
        System.setErr(oldErr);
      }
    }
  }
}
