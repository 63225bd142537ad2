package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.DispatcherSelector;
import io.p2pshare.config.Endpoint;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.testing.FakeIndex;
import io.p2pshare.testing.FakeTransferServer;
import io.p2pshare.transfer.Origin;
import io.p2pshare.transfer.HostileTransferServer;
import io.p2pshare.transfer.PieceHasher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloadTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final long PIECE = 256 * 1024;
  static final SourcePool POOL = new SourcePool("test", 8, 20_000);

  @AfterAll
  static void cleanup() {
    POOL.close();
    testKit.shutdownTestKit();
  }

  static Path file(Path dir, String name, int size, long seed) throws Exception {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    Files.createDirectories(dir);
    return Files.write(dir.resolve(name), b);
  }

  static FileMeta meta(Path f) throws Exception {
    return new FileMeta(Files.size(f), PieceHasher.hash(f, PIECE).sha256());
  }

  private Download.Deps deps(ActorRef<IndexClient.Command> index, ActorRef<Catalog.Command> catalog) {
    return new Download.Deps(index, catalog, new PieceTransfers(POOL, RateLimiter.UNLIMITED),
        testKit.system().dispatchers().lookup(DispatcherSelector.blocking()), "me", 4, PIECE,
        Duration.ofSeconds(20));
  }

  private Download.Event run(Download.Request req, ActorRef<Catalog.Command> catalog,
      ActorRef<IndexClient.Command> index) {
    TestProbe<Download.Event> probe = testKit.createTestProbe();
    testKit.spawn(Download.create(7, req, deps(index, catalog), probe.getRef()));
    while (true) {
      Download.Event e = probe.receiveMessage(Duration.ofSeconds(30));
      if (!(e instanceof Download.Progress)) {
        return e;
      }
    }
  }

  private static Download.Request req(String name, Path out, FileMeta m, PeerAddress... holders) {
    return new Download.Request(name, out, Origin.DOWNLOADED, MessageType.OBTAIN_REQUEST,
        List.of(holders), m);
  }

  @Test
  void smallAndMultiPieceFilesArriveVerifiedAndAreAnnounced(@TempDir Path tmp) throws Exception {
    Path src = tmp.resolve("src");
    Path out = tmp.resolve("out");
    Path small = file(src, "one.txt", 1024, 1);
    Path big = file(src, "big.bin", (int) (PIECE * 5 + 123), 2);
    try (FakeTransferServer s = new FakeTransferServer("p2", src, PIECE)) {
      TestProbe<Catalog.Command> catalog = testKit.createTestProbe();
      for (Path f : List.of(small, big)) {
        String name = f.getFileName().toString();
        Download.Event e = run(req(name, out, meta(f), s.address()), catalog.getRef(), null);
        Download.Finished fin = assertInstanceOf(Download.Finished.class, e, e.toString());
        assertEquals(meta(f).sha256(), PieceHasher.hash(out.resolve(name), PIECE).sha256());
        assertEquals(List.of("p2"), fin.sources());
        assertFalse(Files.exists(out.resolve(name + ".part")));
        assertFalse(Files.exists(out.resolve(name + ".resume")));
        Catalog.AddKnown added = catalog.expectMessageClass(Catalog.AddKnown.class);
        assertEquals(name, added.entry().name());
        assertEquals(Origin.DOWNLOADED, added.entry().origin());
        assertEquals(PieceHasher.hash(f, PIECE).pieces(), added.entry().pieces());
        assertEquals(Files.getLastModifiedTime(out.resolve(name)).toMillis(), added.entry().mtimeMs(),
            "the catalog keys a file by its mtime");
      }
    }
  }

  @Test
  void twoSourcesShareThePiecesOfOneFile(@TempDir Path tmp) throws Exception {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    Path f = file(a, "shared.bin", (int) (PIECE * 12), 3);
    Files.createDirectories(b);
    Files.copy(f, b.resolve("shared.bin"));
    try (FakeTransferServer sa = new FakeTransferServer("pa", a, PIECE);
        FakeTransferServer sb = new FakeTransferServer("pb", b, PIECE)) {
      Download.Event e = run(req("shared.bin", tmp.resolve("out"), meta(f), sa.address(), sb.address()),
          null, null);
      Download.Finished fin = assertInstanceOf(Download.Finished.class, e, e.toString());
      assertEquals(meta(f).sha256(), PieceHasher.hash(tmp.resolve("out/shared.bin"), PIECE).sha256());
      assertTrue(sa.bytesServed.get() > 0 && sb.bytesServed.get() > 0,
          sa.bytesServed + " / " + sb.bytesServed);
      assertEquals(Files.size(f), sa.bytesServed.get() + sb.bytesServed.get(), "no piece fetched twice");
      assertEquals(2, fin.sources().size());
    }
  }

  @Test
  void aCorruptSourceIsDetectedAndDroppedAndTheGoodOneFinishes(@TempDir Path tmp) throws Exception {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    Path f = file(a, "x.bin", (int) (PIECE * 8), 4);
    Files.createDirectories(b);
    Files.copy(f, b.resolve("x.bin"));
    io.p2pshare.metrics.Metrics metrics = new io.p2pshare.metrics.Metrics("peer", "me");
    io.p2pshare.metrics.NodeMetrics.get(testKit.system()).install(metrics);
    try (FakeTransferServer bad = new FakeTransferServer("bad", a, PIECE);
        FakeTransferServer good = new FakeTransferServer("good", b, PIECE)) {
      bad.corrupt = true;
      Download.Event e = run(req("x.bin", tmp.resolve("out"), meta(f), bad.address(), good.address()),
          null, null);
      Download.Finished fin = assertInstanceOf(Download.Finished.class, e, e.toString());
      assertEquals(List.of("good"), fin.sources());
      // the bad pieces are counted as verification errors, every received byte as received
      String scraped = scrape(metrics);
      assertTrue(scraped.contains("p2pshare_transfer_errors_total{kind=\"verify\"") , scraped);
      assertTrue(receivedBytes(scraped) >= PIECE * 8, scraped);
      assertEquals(meta(f).sha256(), PieceHasher.hash(tmp.resolve("out/x.bin"), PIECE).sha256());
      assertTrue(bad.bytesServed.get() <= Download.PIECES_PER_SOURCE * PIECE,
          "the pieces already asked of it, then the source is dropped: " + bad.bytesServed.get());
    }
  }

  static String scrape(io.p2pshare.metrics.Metrics m) throws java.io.IOException {
    var out = new java.io.ByteArrayOutputStream();
    new io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter(false).write(out, m.registry().scrape());
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  static double receivedBytes(String scraped) {
    return scraped.lines().filter(l -> l.startsWith("p2pshare_received_bytes_total"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  @Test
  void onlyCorruptSourcesMeansVerificationFailureAndNoFinalFile(@TempDir Path tmp) throws Exception {
    Path a = tmp.resolve("a");
    Path f = file(a, "small.txt", 1000, 5);
    try (FakeTransferServer bad = new FakeTransferServer("bad", a, PIECE)) {
      bad.corrupt = true;
      Download.Event e = run(req("small.txt", tmp.resolve("out"), meta(f), bad.address()), null, null);
      Download.Failed failed = assertInstanceOf(Download.Failed.class, e, e.toString());
      assertEquals("VERIFY_FAILED", failed.code());
      assertFalse(Files.exists(tmp.resolve("out/small.txt")));
    }
  }

  @Test
  void aManifestThatDescribesOtherBytesFailsTheWholeFileCheck(@TempDir Path tmp) throws Exception {
    // The source serves other bytes, with a manifest whose piece hashes match them but whose
    // whole-file hash is the index's: every piece verifies, only the whole-file hash can tell.
    byte[] real = new byte[9 * 1024 * 1024];
    new Random(11).nextBytes(real);
    byte[] fake = real.clone();
    fake[5 * 1024 * 1024] ^= 1;
    Path realFile = file(tmp.resolve("real"), "big.bin", 0, 1);
    Files.write(realFile, real);
    FileMeta m = meta(realFile);
    try (HostileTransferServer liar = new HostileTransferServer(fake, HostileTransferServer.Mode.HONEST)) {
      liar.claimedSha256 = m.sha256();
      Path out = tmp.resolve("out");
      Download.Event e = run(req("big.bin", out, m,
          new PeerAddress("liar", "127.0.0.1", liar.port())), null, null);
      Download.Failed failed = assertInstanceOf(Download.Failed.class, e, e.toString());
      assertEquals("VERIFY_FAILED", failed.code());
      assertFalse(Files.exists(out.resolve("big.bin")), "no file under its final name");
      assertFalse(Files.exists(out.resolve("big.bin.part")), "the bad bytes are discarded");
      assertFalse(Files.exists(out.resolve("big.bin.resume")));
    }
  }

  @Test
  void aConnectionCutOnceDoesNotCostTheOnlySource(@TempDir Path tmp) throws Exception {
    byte[] content = new byte[9 * 1024 * 1024];
    new Random(21).nextBytes(content);
    Path f = Files.write(Files.createDirectories(tmp.resolve("src")).resolve("one.bin"), content);
    try (HostileTransferServer src = new HostileTransferServer(content, HostileTransferServer.Mode.HONEST)) {
      src.truncateNext.set(1); // the first body breaks off half-way, then all is well
      Path out = tmp.resolve("out");
      Download.Event e = run(req("one.bin", out, meta(f), new PeerAddress("only", "127.0.0.1", src.port())),
          null, null);
      assertInstanceOf(Download.Finished.class, e, e.toString());
      assertArrayEquals(content, Files.readAllBytes(out.resolve("one.bin")));
    }
  }

  @Test
  void withOneSourceThePiecesComeAsOneRangeRequest(@TempDir Path tmp) throws Exception {
    // One request for the whole run of pieces: the source streams them as one body (per
    // request a serving peer starts a file stream, and both sides pay a header round).
    Path a = tmp.resolve("a");
    Path f = file(a, "s.bin", (int) (PIECE * 6 + 100), 41);
    try (FakeTransferServer s = new FakeTransferServer("p", a, PIECE)) {
      Download.Event e = run(req("s.bin", tmp.resolve("out"), meta(f), s.address()), null, null);
      assertInstanceOf(Download.Finished.class, e, e.toString());
      assertEquals(2, s.requests.get(), "the manifest, then one range for all seven pieces");
      assertEquals(Files.size(f), s.bytesServed.get());
      assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(tmp.resolve("out/s.bin")));
    }
  }

  @Test
  void aRangeCutHalfWayKeepsItsWholePiecesAndAsksOnlyForTheRest(@TempDir Path tmp) throws Exception {
    byte[] content = new byte[9 * 1024 * 1024]; // three 4 MiB pieces in the source's manifest
    new Random(42).nextBytes(content);
    Path f = Files.write(Files.createDirectories(tmp.resolve("src")).resolve("c.bin"), content);
    try (HostileTransferServer src = new HostileTransferServer(content, HostileTransferServer.Mode.HONEST)) {
      src.truncateNext.set(1); // the range breaks off after 4.5 MiB: piece 0 whole, piece 1 not
      Path out = tmp.resolve("out");
      Download.Event e = run(req("c.bin", out, meta(f), new PeerAddress("only", "127.0.0.1", src.port())),
          null, null);
      assertInstanceOf(Download.Finished.class, e, e.toString());
      assertArrayEquals(content, Files.readAllBytes(out.resolve("c.bin")));
      assertEquals(2, src.ranges.size());
      assertArrayEquals(new long[] {0, content.length}, src.ranges.get(0));
      long piece = 4 * 1024 * 1024;
      assertArrayEquals(new long[] {piece, content.length - piece}, src.ranges.get(1),
          "asked again from piece 1 on");
    }
  }

  @Test
  void aSmallFileMakesTheDirectoriesItsNameNeeds(@TempDir Path tmp) throws Exception {
    Path a = tmp.resolve("a");
    Path f = file(a, "s.txt", 1000, 44);
    try (FakeTransferServer s = new FakeTransferServer("p", a, PIECE)) {
      Path out = tmp.resolve("x").resolve("y"); // neither exists yet
      PieceTransfers.Small r = new PieceTransfers(POOL, RateLimiter.UNLIMITED).small(s.address(),
          MessageType.OBTAIN_REQUEST, new PartFile(out, "s.txt"), 1000, meta(f).sha256(), PIECE);
      assertInstanceOf(PieceTransfers.Published.class, r, r.toString());
      assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(out.resolve("s.txt")));
      assertFalse(Files.exists(out.resolve("s.txt.part")));
    }
  }

  @Test
  void badBytesOfASmallFileWrittenWhileHashedLeaveNeitherThePartNorTheName(@TempDir Path tmp)
      throws Exception {
    // From DIRECT_SMALL_MIN on, the body goes to the disk while it is hashed: a mismatch must
    // still leave nothing behind.
    Path a = tmp.resolve("a");
    Path f = file(a, "m.bin", PieceTransfers.DIRECT_SMALL_MIN * 4 + 77, 45);
    try (FakeTransferServer s = new FakeTransferServer("p", a, PIECE)) {
      s.corrupt = true;
      Path out = tmp.resolve("out");
      PieceTransfers.Small r = new PieceTransfers(POOL, RateLimiter.UNLIMITED).small(s.address(),
          MessageType.OBTAIN_REQUEST, new PartFile(out, "m.bin"), Files.size(f), meta(f).sha256(),
          PIECE);
      assertInstanceOf(PieceTransfers.BadBytes.class, r, r.toString());
      assertFalse(Files.exists(out.resolve("m.bin")));
      assertFalse(Files.exists(out.resolve("m.bin.part")));
    }
  }

  @Test
  void aSmallFileLargeEnoughForADirectWriteHasExactlyItsBytes(@TempDir Path tmp) throws Exception {
    // From DIRECT_SMALL_MIN on, the one-step path writes like a piece: padded to a block with
    // O_DIRECT, then cut back to the file's size before the rename.
    Path a = tmp.resolve("a");
    Path f = file(a, "m.bin", PieceTransfers.DIRECT_SMALL_MIN + 4096 + 5, 43);
    byte[] want = Files.readAllBytes(f);
    try (FakeTransferServer s = new FakeTransferServer("p", a, PIECE)) {
      Path out = tmp.resolve("out");
      PieceTransfers.Small r = new PieceTransfers(POOL, RateLimiter.UNLIMITED).small(s.address(),
          MessageType.OBTAIN_REQUEST, new PartFile(out, "m.bin"), want.length,
          PieceHasher.hash(f, 1 << 20).sha256(), 1 << 20);
      assertInstanceOf(PieceTransfers.Published.class, r, r.toString());
      assertArrayEquals(want, Files.readAllBytes(out.resolve("m.bin")));
      assertFalse(Files.exists(out.resolve("m.bin.part")));
    }
  }

  @Test
  void ourOwnDiskFailingIsAnIoErrorNotTheSourcesFault(@TempDir Path tmp) throws Exception {
    Path a = tmp.resolve("a");
    Path small = file(a, "small.txt", 1000, 8);
    Path big = file(a, "big.bin", 3 * (int) PIECE + 5, 9);
    try (FakeTransferServer good = new FakeTransferServer("good", a, PIECE)) {
      for (Path p : List.of(small, big)) {
        Path out = tmp.resolve("out-" + p.getFileName());
        // A directory where the .part file must go: every write there fails, as on a broken disk.
        Files.createDirectories(out.resolve(p.getFileName() + ".part")).resolve("x").toFile().createNewFile();
        Download.Event e = run(req(p.getFileName().toString(), out, meta(p), good.address()), null, null);
        Download.Failed failed = assertInstanceOf(Download.Failed.class, e, e.toString());
        assertEquals("IO", failed.code(), failed.error());
        assertTrue(failed.error().contains(".part"), failed.error());
        assertFalse(Files.exists(out.resolve(p.getFileName())));
      }
    }
  }

  @Test
  void resumesFromVerifiedPiecesWithoutRefetchingThem(@TempDir Path tmp) throws Exception {
    Path a = tmp.resolve("a");
    Path out = tmp.resolve("out");
    Path f = file(a, "r.bin", (int) (PIECE * 6), 6);
    PieceHasher.Hashes h = PieceHasher.hash(f, PIECE);
    // An earlier attempt got pieces 0, 1 and 4; piece 4's bytes were later damaged on disk.
    Files.createDirectories(out);
    byte[] all = Files.readAllBytes(f);
    byte[] part = new byte[all.length];
    System.arraycopy(all, 0, part, 0, (int) (2 * PIECE));
    System.arraycopy(all, (int) (4 * PIECE), part, (int) (4 * PIECE), (int) PIECE);
    part[(int) (4 * PIECE) + 10] ^= 1;
    Files.write(out.resolve("r.bin.part"), part);
    PartFile pf = new PartFile(out, "r.bin");
    pf.writeHeader(new PartFile.Header("r.bin", all.length, h.sha256(), PIECE, h.pieces()));
    pf.appendVerified(0);
    pf.appendVerified(1);
    pf.appendVerified(4);
    try (FakeTransferServer s = new FakeTransferServer("p", a, PIECE)) {
      Download.Event e = run(req("r.bin", out, meta(f), s.address()), null, null);
      Download.Finished fin = assertInstanceOf(Download.Finished.class, e, e.toString());
      assertEquals(2 * PIECE, fin.resumedBytes());
      assertEquals(4 * PIECE, s.bytesServed.get(), "pieces 2, 3, 4 (re-verified bad) and 5 only");
      assertEquals(h.sha256(), PieceHasher.hash(out.resolve("r.bin"), PIECE).sha256());
      assertFalse(Files.exists(out.resolve("r.bin.resume")));
    }
  }

  @Test
  void withOneSourceABadPieceIsCaughtByTheWholeFileCheckRecordedAndRefetchedFromAnotherSource(
      @TempDir Path tmp) throws Exception {
    // One source: pieces go only into the whole-file hash. Piece 3 comes corrupt; only the
    // whole-file check can see it, then the pieces taken on trust are re-hashed from disk.
    Path a = tmp.resolve("a");
    Path out = tmp.resolve("out");
    Path f = file(a, "t.bin", (int) (PIECE * 6 + 100), 31);
    io.p2pshare.metrics.Metrics metrics = new io.p2pshare.metrics.Metrics("peer", "me");
    io.p2pshare.metrics.NodeMetrics.get(testKit.system()).install(metrics);
    try (FakeTransferServer liar = new FakeTransferServer("liar", a, PIECE);
        FakeTransferServer good = new FakeTransferServer("good", a, PIECE)) {
      liar.corruptOnceAt.set(3 * PIECE);
      Download.Event e = run(req("t.bin", out, meta(f), liar.address()), null, null);
      Download.Failed failed = assertInstanceOf(Download.Failed.class, e, e.toString());
      assertEquals("VERIFY_FAILED", failed.code(), failed.error());
      assertTrue(failed.error().contains("piece 3 from liar"), failed.error());
      assertTrue(scrape(metrics).contains("p2pshare_transfer_errors_total{kind=\"verify\""));
      assertFalse(Files.exists(out.resolve("t.bin")), "nothing under the final name");
      // The record now claims exactly the pieces that re-hashed good: all but piece 3.
      PartFile.Loaded rec = new PartFile(out, "t.bin").load().orElseThrow();
      BitSet good6 = new BitSet();
      good6.set(0, 7);
      good6.clear(3);
      assertEquals(good6, rec.verified());
      assertEquals(liar.bytesServed.get(), Files.size(f), "the liar was asked for each piece once");

      Download.Event again = run(req("t.bin", out, meta(f), good.address()), null, null);
      Download.Finished fin = assertInstanceOf(Download.Finished.class, again, again.toString());
      assertEquals(PIECE, good.bytesServed.get(), "only the bad piece is fetched again");
      assertEquals(List.of("good"), fin.sources());
      assertEquals(meta(f).sha256(), PieceHasher.hash(out.resolve("t.bin"), PIECE).sha256());
    }
  }

  @Test
  void aResumeReHashesPiecesThatWereOnlyWrittenAndRefetchesTheDamagedOnes(@TempDir Path tmp)
      throws Exception {
    Path a = tmp.resolve("a");
    Path out = tmp.resolve("out");
    Path f = file(a, "u.bin", (int) (PIECE * 5), 32);
    PieceHasher.Hashes h = PieceHasher.hash(f, PIECE);
    // A killed attempt wrote pieces 0-3, hashed only into a whole-file hash that died with it;
    // piece 1's bytes are damaged on disk. Written is not verified: each must be re-hashed.
    byte[] all = Files.readAllBytes(f);
    byte[] part = java.util.Arrays.copyOf(all, (int) (4 * PIECE));
    part[(int) PIECE + 7] ^= 1;
    Files.createDirectories(out);
    Files.write(out.resolve("u.bin.part"), part);
    PartFile pf = new PartFile(out, "u.bin");
    pf.writeHeader(new PartFile.Header("u.bin", all.length, h.sha256(), PIECE, h.pieces()));
    for (int i = 0; i < 4; i++) {
      pf.appendWritten(i);
    }
    PartFile.Loaded rec = pf.load().orElseThrow();
    assertTrue(rec.verified().isEmpty(), "written pieces are never read back as verified");
    assertEquals(4, rec.written().cardinality());
    try (FakeTransferServer s = new FakeTransferServer("p", a, PIECE)) {
      Download.Event e = run(req("u.bin", out, meta(f), s.address()), null, null);
      Download.Finished fin = assertInstanceOf(Download.Finished.class, e, e.toString());
      assertEquals(3 * PIECE, fin.resumedBytes());
      assertEquals(2 * PIECE, s.bytesServed.get(), "piece 1 (damaged) and piece 4 (never written)");
      assertArrayEquals(all, Files.readAllBytes(out.resolve("u.bin")));
    }
  }

  @Test
  void aBaseV1SourceGetsOneWholeFileFetchWithASizeCheck(@TempDir Path tmp) throws Exception {
    Path a = tmp.resolve("a");
    Path f = file(a, "v1.bin", (int) (PIECE * 3 + 7), 7);
    try (FakeTransferServer s = new FakeTransferServer("old", a, PIECE)) {
      s.baseV1 = true;
      Download.Event e = run(req("v1.bin", tmp.resolve("out"), new FileMeta(Files.size(f), null),
          s.address()), null, null);
      Download.Finished fin = assertInstanceOf(Download.Finished.class, e, e.toString());
      assertEquals(meta(f).sha256(), fin.sha256());
      s.corrupt = false;
      Files.delete(tmp.resolve("out/v1.bin"));
      Download.Event wrongSize = run(req("v1.bin", tmp.resolve("out"), new FileMeta(5L, null),
          s.address()), null, null);
      assertInstanceOf(Download.Failed.class, wrongSize);
      assertFalse(Files.exists(tmp.resolve("out/v1.bin")));
    }
  }

  @Test
  void holdersComeFromTheIndexAndAMissingFileIsNotFound(@TempDir Path tmp) throws Exception {
    Path a = tmp.resolve("a");
    Path f = file(a, "idx.bin", 5000, 8);
    try (FakeIndex idx = FakeIndex.start();
        FakeTransferServer s = new FakeTransferServer("holder", a, PIECE)) {
      idx.peers.put("holder", s.address());
      idx.files.put("holder", new java.util.concurrent.ConcurrentHashMap<>(Map.of("idx.bin", meta(f))));
      ActorRef<IndexClient.Command> client = testKit.spawn(IndexClient.create(
          IndexClient.Options.searchOnly("t", new Endpoint("127.0.0.1", idx.port())), null));
      Download.Event ok = run(Download.Request.obtain("idx.bin", tmp.resolve("out")), null, client);
      assertInstanceOf(Download.Finished.class, ok, ok.toString());
      Download.Event missing = run(Download.Request.obtain("nope.bin", tmp.resolve("out")), null, client);
      assertEquals("NOT_FOUND", assertInstanceOf(Download.Failed.class, missing).code());
      testKit.stop(client);
    }
  }

  @Test
  void anExistingDifferentFileIsNeverOverwritten(@TempDir Path tmp) throws Exception {
    Path a = tmp.resolve("a");
    Path f = file(a, "taken.txt", 300, 9);
    Files.createDirectories(tmp.resolve("out"));
    Files.writeString(tmp.resolve("out/taken.txt"), "mine");
    try (FakeTransferServer s = new FakeTransferServer("p", a, PIECE)) {
      Download.Event e = run(req("taken.txt", tmp.resolve("out"), meta(f), s.address()), null, null);
      assertEquals("EXISTS", assertInstanceOf(Download.Failed.class, e).code());
      assertEquals("mine", Files.readString(tmp.resolve("out/taken.txt")));
      Files.copy(f, tmp.resolve("out/same.txt"));
      Files.copy(f, a.resolve("same.txt"));
      Download.Event same = run(req("same.txt", tmp.resolve("out"), meta(f), s.address()), null, null);
      assertInstanceOf(Download.Finished.class, same, "the same content is already there: fine");
    }
  }

  @Test
  void aPipelinedBatchVerifiesEachFileAndReportsMissingAndBadOnes(@TempDir Path tmp) throws Exception {
    Path src = tmp.resolve("src");
    Path out = tmp.resolve("out");
    List<PieceTransfers.SmallItem> items = new java.util.ArrayList<>();
    for (int i = 0; i < 100; i++) {
      Path f = file(src, "s" + i + ".txt", 100 + i, i);
      items.add(new PieceTransfers.SmallItem("s" + i + ".txt", Files.size(f), meta(f).sha256(),
          new PartFile(out, "s" + i + ".txt")));
    }
    items.set(10, new PieceTransfers.SmallItem("missing.txt", 5, "ab".repeat(32), new PartFile(out, "missing.txt")));
    items.set(20, new PieceTransfers.SmallItem("s20.txt", 120, "cd".repeat(32), new PartFile(out, "s20.txt")));
    try (FakeTransferServer s = new FakeTransferServer("p", src, PIECE)) {
      List<PieceTransfers.SmallOutcome> outs = new PieceTransfers(POOL, RateLimiter.UNLIMITED)
          .smallBatch(s.address(), MessageType.OBTAIN_REQUEST, items, PIECE, 8);
      assertEquals(100, outs.size());
      assertInstanceOf(PieceTransfers.Refused.class, outs.get(10).error());
      assertInstanceOf(PieceTransfers.BadBytes.class, outs.get(20).small());
      assertFalse(Files.exists(out.resolve("s20.txt")), "bad bytes never get the final name");
      for (int i = 0; i < 100; i++) {
        if (i != 10 && i != 20) {
          assertInstanceOf(PieceTransfers.Published.class, outs.get(i).small(), "item " + i);
          assertEquals(items.get(i).sha256(), PieceHasher.hash(out.resolve("s" + i + ".txt"), PIECE).sha256());
        }
      }
      assertTrue(s.requests.get() >= 100);
    }
  }

  @Test
  void aBusySourceIsAskedAgainLaterNotDropped(@TempDir Path tmp) throws Exception {
    Path a = tmp.resolve("a");
    Path small = file(a, "b1.txt", 500, 12);
    Path big = file(a, "b2.bin", (int) (PIECE * 3), 13);
    try (FakeTransferServer s = new FakeTransferServer("p", a, PIECE)) {
      s.busyReplies.set(3);
      assertInstanceOf(Download.Finished.class,
          run(req("b1.txt", tmp.resolve("out"), meta(small), s.address()), null, null));
      s.busyReplies.set(3);
      assertInstanceOf(Download.Finished.class,
          run(req("b2.bin", tmp.resolve("out"), meta(big), s.address()), null, null));
      assertEquals(meta(big).sha256(), PieceHasher.hash(tmp.resolve("out/b2.bin"), PIECE).sha256());
    }
  }

  @Test
  void piecePlanHandsOutAndTakesBack() {
    PiecePlan p = new PiecePlan(10, 4, List.of("a", "b", "c"), new BitSet());
    assertEquals(2, p.length(2));
    int i = p.take();
    assertFalse(p.complete(i, "zz"));
    assertEquals(i, p.take(), "a bad piece goes back to the front");
    assertTrue(p.complete(i, "A"));
    assertThrows(IllegalArgumentException.class, () -> new PiecePlan(10, 4, List.of("a"), new BitSet()));
  }

  @Test
  void piecePlanCountsUncheckedPiecesAsDoneUntilTheWholeFileCheckSaysOtherwise() {
    PiecePlan p = new PiecePlan(12, 4, List.of("a", "b", "c"), new BitSet());
    for (int k = 0; k < 3; k++) {
      p.wrote(p.take());
    }
    assertTrue(p.done() && p.idle());
    assertEquals(12, p.doneBytes());
    assertEquals(0, p.verifiedBytes(), "written is not verified");
    BitSet good = new BitSet();
    good.set(0);
    good.set(2);
    p.confirm(good);
    p.reject(1);
    assertFalse(p.done());
    assertEquals(8, p.verifiedBytes());
    assertEquals(1, p.take(), "the bad piece is fetched again");
    assertTrue(p.complete(1, "B"));
    assertTrue(p.done());
    assertTrue(p.unchecked().isEmpty());
  }
}
