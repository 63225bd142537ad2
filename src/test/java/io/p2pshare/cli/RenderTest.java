package io.p2pshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pshare.cli.PeerConsole.Counters;
import io.p2pshare.cli.PeerConsole.Downloaded;
import io.p2pshare.cli.PeerConsole.Hit;
import io.p2pshare.cli.PeerConsole.Holder;
import io.p2pshare.cli.PeerConsole.LocalFile;
import io.p2pshare.cli.PeerConsole.Lookup;
import io.p2pshare.cli.PeerConsole.PeerInfo;
import io.p2pshare.cli.PeerConsole.SearchHits;
import io.p2pshare.cli.PeerConsole.Status;
import io.p2pshare.transfer.Origin;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class RenderTest {
  private static final String SHA = "3fa9c2d81b7e44aa0011223344556677889900aabbccddeeff00112233445566";

  @Test
  void lookupInTheReferenceShapeWithSizeAndShortHash() {
    Lookup l = new Lookup("peer2_kb_0050.txt",
        List.of(new Holder("peer2", "127.0.0.1", 7101, 1024, SHA),
            new Holder("peer3", "10.0.0.3", 7102, 1024, null)));
    assertEquals("""
        Peers serving 'peer2_kb_0050.txt':
          - peer2 @ 127.0.0.1:7101 (1024 bytes, 1.0 KiB, sha256 3fa9c2d81b7e)
          - peer3 @ 10.0.0.3:7102 (1024 bytes, 1.0 KiB, sha256 -)""", Render.lookup(l));
  }

  @Test
  void lookupNotFound() {
    assertEquals("No peers serving 'nope.txt'.", Render.lookup(new Lookup("nope.txt", List.of())));
  }

  @Test
  void downloadAsTheReference() {
    Path cwd = Path.of("/work/p2p");
    Downloaded d = new Downloaded("peer2_kb_0050.txt", List.of("127.0.0.1:7101"),
        cwd.resolve("data/peer1/downloaded/peer2_kb_0050.txt"), 1024, 0.05, 0, SHA);
    assertEquals("""
        Downloaded 'peer2_kb_0050.txt' from 127.0.0.1:7101 -> data/peer1/downloaded/peer2_kb_0050.txt
        (1024 bytes, 1.0 KiB in 0.05s, 20.48 KB/s)""", Render.downloaded(d, cwd));
  }

  @Test
  void downloadFromSeveralSourcesResumedOutsideCwd() {
    Downloaded d = new Downloaded("big.bin", List.of("127.0.0.1:7101", "127.0.0.1:7102"),
        Path.of("/srv/dl/big.bin"), 1L << 30, 8.0, 512L << 20, SHA);
    assertEquals("""
        Downloaded 'big.bin' from 127.0.0.1:7101, 127.0.0.1:7102 -> /srv/dl/big.bin
        (1073741824 bytes, 1.0 GiB in 8.00s, 67.11 MB/s, resumed after 512 MiB)""",
        Render.downloaded(d, Path.of("/work")));
  }

  @Test
  void aFileAlreadyHereIsSaidPlainly() {
    Path cwd = Path.of("/work/p2p");
    Downloaded d = new Downloaded("a.txt", List.of(), cwd.resolve("data/peer1/downloaded/a.txt"), 1024, 0.2, 1024, SHA);
    assertEquals("""
        'a.txt' is already here, verified: data/peer1/downloaded/a.txt
        (1024 bytes, 1.0 KiB; nothing downloaded)""", Render.downloaded(d, cwd));
  }

  @Test
  void listAsTheReference() {
    assertEquals("""
        Downloaded files (1):
          - peer2_kb_0050.txt (1024 bytes, 1.0 KiB)""",
        Render.list(Origin.DOWNLOADED, List.of(new LocalFile("peer2_kb_0050.txt", 1024))));
    assertEquals("Replicated files (0):", Render.list(Origin.REPLICATED, List.of()));
    assertEquals("""
        Local files (2):
          - a.txt (10 bytes)
          - b.bin (1048576 bytes, 1.0 MiB)""",
        Render.list(Origin.SHARED, List.of(new LocalFile("a.txt", 10), new LocalFile("b.bin", 1 << 20))));
  }

  @Test
  void statsAsTheReferenceWithPercentiles() {
    SessionStats.Snapshot s = new SessionStats.Snapshot(
        12, 0.0123, 0.0045, 0.0089, 0.0201, 0.0110, 0.0200,
        3, 204800.0, 15234.5, 180000.0, 230000.0, 3_000_000, 15.117);
    Map<String, String> c = new LinkedHashMap<>();
    c.put("Uploads served", "7 (7.0 KiB)");
    assertEquals("""
        Performance stats:
          Search time: mean=0.0123s stdev=0.0045s min=0.0089s max=0.0201s p50=0.0110s p99=0.0200s (12 lookups)
          Download speed (B/s): mean=204800.0 stdev=15234.5 min=180000.0 max=230000.0 (3 downloads)
          Throughput: 198452.1 B/s (198.45 KB/s, 2.9 MiB in 15.12s)
          Uploads served: 7 (7.0 KiB)""", Render.stats(s, new Counters(c)));
  }

  @Test
  void statsBeforeAnything() {
    assertEquals("""
        Performance stats:
          Search time: no lookups yet
          Download speed (B/s): no downloads yet
          Throughput: 0.0 B/s""", Render.stats(new SessionStats().snapshot(), Counters.NONE));
  }

  @Test
  void searchWithSizesAndHolders() {
    SearchHits h = new SearchHits("kb_005", List.of(
        new Hit("peer2_kb_0050.txt", 1024, SHA, List.of("peer2", "peer1")),
        new Hit("peer2_kb_0051.txt", 1024, SHA, List.of("peer2"))), true);
    assertEquals("""
        Files matching 'kb_005' (2+):
          - peer2_kb_0050.txt (1024 bytes, 1.0 KiB) on peer2, peer1
          - peer2_kb_0051.txt (1024 bytes, 1.0 KiB) on peer2
          (the index cut the list at its limit: search for something longer)""", Render.search(h));
    assertEquals("No files matching 'zzz'.", Render.search(new SearchHits("zzz", List.of(), false)));
  }

  @Test
  void statusAndPeers() {
    Status s = new Status("peer1", "127.0.0.1:7100", "127.0.0.1:7000", true, "registered", 1100, 2, 1,
        1, 0, List.of("big.bin"));
    assertEquals("""
        Peer peer1 serving 127.0.0.1:7100
          Index: 127.0.0.1:7000 connected, registered
          Files: 1100 local, 2 replicated, 1 downloaded
          Replication tasks: 1 running, 0 queued
          Downloads: big.bin""", Render.status(s));
    Status down = new Status("peer1", "127.0.0.1:7100", "127.0.0.1:7000", false, null, 0, 0, 0, 0, 0, List.of());
    assertTrue(Render.status(down).contains("127.0.0.1:7000 NOT connected (retrying)\n"));
    assertTrue(Render.status(down).endsWith("Downloads: none running"));
    assertEquals("""
        Live peers (2):
          - peer1 @ 127.0.0.1:7100 (1100 files)
          - peer2 @ 127.0.0.1:7101""",
        Render.peers(new PeerConsole.Peers(2, List.of(new PeerInfo("peer1", "127.0.0.1", 7100, 1100),
            new PeerInfo("peer2", "127.0.0.1", 7101, -1)))));
    assertEquals("""
        Live peers (3):
          - peer1 @ 127.0.0.1:7100
          (2 more; the index names peers only in lookup and search answers)""",
        Render.peers(new PeerConsole.Peers(3, List.of(new PeerInfo("peer1", "127.0.0.1", 7100, -1)))));
  }

  @Test
  void errorsAreOneLineWithoutWrapperNames() {
    assertEquals("error: index unreachable",
        Render.error(new CompletionException(new IllegalStateException("index unreachable"))));
    assertEquals("Cancelled.", Render.error(new CancellationException()));
    assertTrue(Render.error(new TimeoutException("after 15s")).startsWith("error: no answer in time (after 15s)"));
    assertEquals("error: NullPointerException", Render.error(new NullPointerException()));
  }

  @Test
  void helpNamesEveryCommandAndTheQuotingRules() {
    String h = Render.help();
    for (String w : ShellCommand.WORDS) {
      assertTrue(h.contains("\n  " + w), w);
    }
    assertTrue(h.contains("my\\ file.txt"));
    assertTrue(h.contains("Unicode"));
  }
}
