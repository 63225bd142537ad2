package io.p2pshare.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.Materializer;
import io.p2pshare.protocol.ManifestResponse;
import io.p2pshare.protocol.MessageType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransferClientIntegrationTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final long PIECE = 4L << 20;
  @TempDir static Path tmp;
  static Path shared;
  static TransferServer server;

  @BeforeAll
  static void start() throws Exception {
    shared = Files.createDirectory(tmp.resolve("shared"));
    write("kib.txt", 1024, 1);
    write("mib.bin", 1 << 20, 2);
    write("big.bin", 64 << 20, 3);
    server = TransferServer.start(testKit.system(), Materializer.matFromSystem(testKit.system()),
            TransferServer.Settings.of("srv", "127.0.0.1", 0),
            new DirectoryFiles(java.util.Map.of(Origin.SHARED, shared), PIECE))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    server.unbind().toCompletableFuture().get(30, TimeUnit.SECONDS);
    testKit.shutdownTestKit();
  }

  static void write(String name, int size, long seed) throws Exception {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    Files.write(shared.resolve(name), b);
  }

  static TransferClient client(int port) throws Exception {
    return TransferClient.connect(testKit.system(), "127.0.0.1", port, "tester")
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static <T> T get(CompletionStage<T> s) throws Exception {
    return s.toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static Throwable failure(CompletionStage<?> s) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> s.toCompletableFuture().get(60, TimeUnit.SECONDS));
    return e.getCause();
  }

  @Test
  void fetchesFilesByPiecesOverOneConnectionWithMatchingHashes() throws Exception {
    try (TransferClient c = client(server.port())) {
      for (String name : new String[] {"kib.txt", "mib.bin", "big.bin"}) {
        ManifestResponse m = get(c.manifest(name));
        PieceHasher.Hashes expect = PieceHasher.hash(shared.resolve(name), PIECE);
        assertEquals(expect.pieces(), m.pieces());
        Path part = tmp.resolve(name + ".part");
        // all pieces pipelined on the one connection
        List<CompletionStage<TransferClient.RangeResult>> calls = new ArrayList<>();
        for (int i = 0; i < m.pieces().size(); i++) {
          long off = i * PIECE;
          calls.add(c.fetch(name, off, Math.min(PIECE, m.fileSize() - off), part));
        }
        for (int i = 0; i < calls.size(); i++) {
          TransferClient.RangeResult r = get(calls.get(i));
          assertEquals(m.pieces().get(i), r.sha256(), name + " piece " + i);
        }
        assertEquals(expect.sha256(), PieceHasher.hash(part, PIECE).sha256(), name);
      }
    }
  }

  @Test
  void rangesLandAtTheirOffsetsWhateverTheOrder() throws Exception {
    byte[] src = Files.readAllBytes(shared.resolve("mib.bin"));
    Path part = tmp.resolve("two.part");
    try (TransferClient c = client(server.port())) {
      TransferClient.RangeResult second = get(c.fetch("mib.bin", 600_000, src.length - 600_000, part));
      TransferClient.RangeResult first = get(c.fetch("mib.bin", 0, 600_000, part));
      assertEquals(600_000, first.bytes());
      assertEquals(600_000, second.offset());
    }
    assertArrayEquals(src, Files.readAllBytes(part));
  }

  @Test
  void refusalsFailTheCallButNotTheConnection() throws Exception {
    try (TransferClient c = client(server.port())) {
      Path part = tmp.resolve("x.part");
      TransferClient.Refused nf = assertInstanceOf(TransferClient.Refused.class,
          failure(c.fetch("missing.bin", 0, 10, part)));
      assertEquals("NOT_FOUND", nf.code());
      for (String bad : new String[] {"../kib.txt", "../../etc/passwd", "/etc/passwd", "a\\b", "C:x"}) {
        TransferClient.Refused br = assertInstanceOf(TransferClient.Refused.class,
            failure(c.fetch(bad, 0, 10, part)));
        assertEquals("BAD_REQUEST", br.code(), bad);
      }
      assertEquals("NOT_FOUND", assertInstanceOf(TransferClient.Refused.class,
          failure(c.manifest("missing.bin"))).code());
      assertEquals("BAD_REQUEST", assertInstanceOf(TransferClient.Refused.class,
          failure(c.fetch("kib.txt", 1000, 100, part))).code());
      assertEquals(1024, get(c.fetch("kib.txt", 0, 1024, part)).bytes());
    }
  }

  @Test
  void truncatedBodyIsAFailureNeverASuccess() throws Exception {
    byte[] content = new byte[300_000];
    new Random(9).nextBytes(content);
    try (HostileTransferServer h = new HostileTransferServer(content, HostileTransferServer.Mode.TRUNCATE);
        TransferClient c = client(h.port())) {
      Throwable t = failure(c.fetch("f", 0, content.length, tmp.resolve("t.part")));
      assertInstanceOf(java.io.IOException.class, t);
      assertTrue(t.getMessage().contains("missing") || t.getMessage().contains("closed"), t.getMessage());
      // later calls on the dead connection fail too
      failure(c.fetch("f", 0, 10, tmp.resolve("t2.part")));
    }
  }

  @Test
  void corruptBytesArriveWithADigestThatDoesNotMatchTheManifest() throws Exception {
    byte[] content = new byte[100_000];
    new Random(10).nextBytes(content);
    try (HostileTransferServer h = new HostileTransferServer(content, HostileTransferServer.Mode.CORRUPT);
        TransferClient c = client(h.port())) {
      ManifestResponse m = get(c.manifest("f"));
      TransferClient.RangeResult r = get(c.fetch("f", 0, content.length, tmp.resolve("c.part")));
      assertNotEquals(m.pieces().get(0), r.sha256());
      h.mode = HostileTransferServer.Mode.HONEST;
      assertEquals(m.pieces().get(0), get(c.fetch("f", 0, content.length, tmp.resolve("c.part"))).sha256());
    }
  }

  @Test
  void baseV1PeerWholeFileFallback() throws Exception {
    byte[] content = new byte[200_000];
    new Random(11).nextBytes(content);
    Path part = tmp.resolve("base.part");
    Files.write(part, new byte[300_000]); // a stale longer part must not survive
    try (HostileTransferServer h = new HostileTransferServer(content, HostileTransferServer.Mode.BASE_V1);
        TransferClient c = client(h.port())) {
      assertEquals("UNKNOWN_TYPE", assertInstanceOf(TransferClient.Refused.class,
          failure(c.manifest("f"))).code());
      TransferClient.RangeResult r = get(c.fetchWhole(MessageType.OBTAIN_REQUEST, "f", part));
      assertEquals(content.length, r.bytes());
    }
    assertArrayEquals(content, Files.readAllBytes(part));
  }

  @Test
  void wholeFileFromOurServerToo() throws Exception {
    Path part = tmp.resolve("whole.part");
    try (TransferClient c = client(server.port())) {
      TransferClient.RangeResult r = get(c.fetchWhole(MessageType.REPLICATE_REQUEST, "mib.bin", part));
      assertEquals(1 << 20, r.bytes());
    }
    assertArrayEquals(Files.readAllBytes(shared.resolve("mib.bin")), Files.readAllBytes(part));
  }

  @Test
  void garbageOrWrongLengthFailsTheCall() throws Exception {
    byte[] content = new byte[1000];
    try (HostileTransferServer h = new HostileTransferServer(content, HostileTransferServer.Mode.GARBAGE);
        TransferClient c = client(h.port())) {
      assertInstanceOf(java.io.IOException.class, failure(c.fetch("f", 0, 1000, tmp.resolve("g.part"))));
    }
    try (HostileTransferServer h = new HostileTransferServer(content, HostileTransferServer.Mode.WRONG_LENGTH);
        TransferClient c = client(h.port())) {
      Throwable t = failure(c.fetch("f", 0, 1000, tmp.resolve("w.part")));
      assertTrue(t.getMessage().contains("announced"), t.getMessage());
    }
  }

  @Test
  void connectFailureFailsTheConnectStage() throws Exception {
    int deadPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    failure(TransferClient.connect(testKit.system(), "127.0.0.1", deadPort, "t"));
  }
}
