package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.p2pshare.config.Endpoint;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.testing.FakeIndex;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class GetClientTest {
  static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void cleanup() {
    testKit.shutdownTestKit();
  }

  @Test
  void aTruncatedMatchIsRefinedUntilEveryNameIsFound() throws Exception {
    try (FakeIndex idx = FakeIndex.start()) {
      // 1,500 names on two holders: 3,000 entries, far over the 1,000-result limit.
      for (String p : List.of("h1", "h2")) {
        Map<String, FileMeta> files = new ConcurrentHashMap<>();
        for (int i = 1; i <= 1500; i++) {
          files.put(String.format("peer9_kb_%04d.txt", i), new FileMeta(1024L, "ab".repeat(32)));
        }
        idx.files.put(p, files);
        idx.peers.put(p, new PeerAddress(p, "127.0.0.1", 1));
      }
      idx.files.get("h1").put("peer9_kb_", new FileMeta(1L, "cd".repeat(32))); // ends with the text
      try (GetClient c = new GetClient(testKit.system(), new Endpoint("127.0.0.1", idx.port()), 0,
          1 << 22, 4)) {
        List<GetClient.Match> m = c.match("peer9_kb_").toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertEquals(1501, m.size());
        assertEquals(2, m.stream().filter(x -> x.fileName().equals("peer9_kb_0777.txt")).findFirst()
            .orElseThrow().holders().size());
      }
    }
  }

  @Test
  void downloadNowFetchesSmallFilesOnTheCallersThreadAndLargeOnesThroughTheActors(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
    java.nio.file.Path good = tmp.resolve("good");
    java.nio.file.Path bad = tmp.resolve("bad");
    java.nio.file.Path small = DownloadTest.file(good, "s.txt", 1000, 1);
    DownloadTest.file(bad, "s.txt", 1000, 1);
    java.nio.file.Path large = DownloadTest.file(good, "l.bin", 3 * 1024 * 1024, 2);
    try (FakeIndex idx = FakeIndex.start();
        io.p2pshare.testing.FakeTransferServer g = new io.p2pshare.testing.FakeTransferServer("good", good, 1 << 20);
        io.p2pshare.testing.FakeTransferServer b = new io.p2pshare.testing.FakeTransferServer("bad", bad, 1 << 20)) {
      b.corrupt = true;
      idx.files.put("good", new ConcurrentHashMap<>(Map.of("s.txt", DownloadTest.meta(small),
          "l.bin", DownloadTest.meta(large))));
      idx.files.put("bad", new ConcurrentHashMap<>(Map.of("s.txt", DownloadTest.meta(small))));
      idx.peers.put("good", g.address());
      idx.peers.put("bad", b.address());
      java.nio.file.Path out = tmp.resolve("out");
      try (GetClient c = new GetClient(testKit.system(), new Endpoint("127.0.0.1", idx.port()), 0,
          1 << 20, 4)) {
        for (String name : List.of("s.txt", "l.bin")) {
          Download.Event e = c.downloadNow(name, out);
          Download.Finished f = assertInstanceOf(Download.Finished.class, e, e.toString());
          assertEquals(List.of("good"), f.sources(), "the corrupt holder's bytes never count");
          assertArrayEquals(java.nio.file.Files.readAllBytes(good.resolve(name)),
              java.nio.file.Files.readAllBytes(out.resolve(name)));
        }
        Download.Failed missing = assertInstanceOf(Download.Failed.class, c.downloadNow("nope.txt", out));
        assertEquals("NOT_FOUND", missing.code());
      }
    }
  }

  /** have_0 .. have_99 (size i, a hash of its own) on holder h1. */
  private static Map<String, FileMeta> hundredFilesOnOneHolder(FakeIndex idx) {
    Map<String, FileMeta> files = new ConcurrentHashMap<>();
    for (int i = 0; i < 100; i++) {
      files.put("have_" + i, new FileMeta((long) i, String.format("%064x", i)));
    }
    idx.files.put("h1", files);
    idx.peers.put("h1", new PeerAddress("h1", "127.0.0.1", 1));
    return files;
  }

  @Test
  void lookupAnswersEveryNameOfALongListInItsOrderOverOnePipelinedConnection() throws Exception {
    try (FakeIndex idx = FakeIndex.start()) {
      Map<String, FileMeta> files = hundredFilesOnOneHolder(idx);
      List<String> names = new java.util.ArrayList<>();
      for (int i = 0; i < 150; i++) { // more than the window: several rounds of requests in flight
        names.add(i % 3 == 2 ? "missing_" + i : "have_" + (i % 100));
      }
      try (GetClient c = new GetClient(testKit.system(), new Endpoint("127.0.0.1", idx.port()), 0,
          1 << 22, 4)) {
        Map<String, List<io.p2pshare.protocol.SearchResult>> found = c.lookup(names);
        assertEquals(names.stream().distinct().toList(), List.copyOf(found.keySet()), "every name, in order");
        for (String n : names) {
          List<io.p2pshare.protocol.SearchResult> h = found.get(n);
          if (n.startsWith("missing_")) {
            assertEquals(List.of(), h, n);
          } else {
            assertEquals(1, h.size(), n);
            assertEquals("h1", h.get(0).peerId());
            assertEquals(files.get(n), h.get(0).meta(), "each answer lands under its own name: " + n);
          }
        }
        // the same connection serves the next list (nothing left unread on it)
        assertEquals(List.of("have_7"), List.copyOf(c.lookup(List.of("have_7")).keySet()));
        assertEquals(7L, c.lookup(List.of("have_7")).get("have_7").get(0).meta().sizeBytes());
      }
    }
  }

  @Test
  void lookupsAheadAreAllSentAtOnceAndReadOneByOneAsEachNameComesUp() throws Exception {
    try (FakeIndex idx = FakeIndex.start()) {
      Map<String, FileMeta> files = hundredFilesOnOneHolder(idx);
      List<String> names = new java.util.ArrayList<>();
      for (int i = 0; i < 100; i++) { // more than the window: the rest go out as answers are read
        names.add(i % 10 == 9 ? "missing_" + i : "have_" + i);
      }
      try (GetClient c = new GetClient(testKit.system(), new Endpoint("127.0.0.1", idx.port()), 0,
          1 << 22, 4)) {
        GetClient.LookupsAhead ahead = c.lookupAhead(names);
        assertNull(ahead.take("have_1"), "not the next name: the caller searches on its own");
        for (String n : names) {
          List<io.p2pshare.protocol.SearchResult> h = ahead.take(n);
          if (n.startsWith("missing_")) {
            assertEquals(List.of(), h, n);
          } else {
            assertEquals(files.get(n), h.get(0).meta(), "each answer is its own name's: " + n);
          }
        }
        assertNull(ahead.take("have_0"), "every answer was taken");
        ahead.close();
        // the connection went back to the client and has nothing left unread on it
        assertEquals(7L, c.lookup(List.of("have_7")).get("have_7").get(0).meta().sizeBytes());
      }
    }
  }

  @Test
  void lookupsAheadLeftUnreadCloseTheirConnectionAndLaterSearchesStillWork() throws Exception {
    try (FakeIndex idx = FakeIndex.start()) {
      idx.files.put("h1", new ConcurrentHashMap<>(Map.of("a", new FileMeta(1L, "ab".repeat(32)),
          "b", new FileMeta(2L, "cd".repeat(32)))));
      idx.peers.put("h1", new PeerAddress("h1", "127.0.0.1", 1));
      try (GetClient c = new GetClient(testKit.system(), new Endpoint("127.0.0.1", idx.port()), 0,
          1 << 22, 4)) {
        GetClient.LookupsAhead ahead = c.lookupAhead(List.of("a", "b"));
        assertEquals(1L, ahead.take("a").get(0).meta().sizeBytes());
        ahead.close(); // "b"'s answer unread: must not be read as some later search's
        assertEquals(2L, c.lookup(List.of("b")).get("b").get(0).meta().sizeBytes());
        assertEquals(1L, c.lookup(List.of("a")).get("a").get(0).meta().sizeBytes());
      }
    }
  }

  @Test
  void smallFilesFetchedConcurrentlyOverOnePoolEachArriveWholeOnTheFirstTry(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
    // Bodies are read into their connection's own buffer and must be verified and written
    // before the connection goes back to the pool, or another thread's body overwrites them.
    java.nio.file.Path src = tmp.resolve("src");
    Map<String, FileMeta> metas = new ConcurrentHashMap<>();
    List<String> names = new java.util.ArrayList<>();
    for (int i = 0; i < 96; i++) {
      String n = "f" + i + ".bin";
      names.add(n);
      metas.put(n, DownloadTest.meta(DownloadTest.file(src, n, 64 * 1024 + i, 100 + i)));
    }
    try (FakeIndex idx = FakeIndex.start();
        io.p2pshare.testing.FakeTransferServer s = new io.p2pshare.testing.FakeTransferServer("h", src, 1 << 20)) {
      idx.files.put("h", metas);
      idx.peers.put("h", s.address());
      java.nio.file.Path out = tmp.resolve("out");
      try (GetClient c = new GetClient(testKit.system(), new Endpoint("127.0.0.1", idx.port()), 0, 1 << 20, 4)) {
        Map<String, List<io.p2pshare.protocol.SearchResult>> found = c.lookup(names);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
          List<java.util.concurrent.Future<Download.Event>> fs = new java.util.ArrayList<>();
          for (String n : names) {
            fs.add(pool.submit(() -> c.downloadNow(n, out, found.get(n))));
          }
          for (java.util.concurrent.Future<Download.Event> f : fs) {
            assertInstanceOf(Download.Finished.class, f.get(60, TimeUnit.SECONDS));
          }
        } finally {
          pool.shutdownNow();
        }
      }
      for (String n : names) {
        assertArrayEquals(java.nio.file.Files.readAllBytes(src.resolve(n)),
            java.nio.file.Files.readAllBytes(out.resolve(n)), n);
      }
      assertEquals(names.size(), s.requests.get(), "one request per file: no body was ever taken for bad bytes");
    }
  }
}
