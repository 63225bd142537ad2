package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import io.p2pshare.transfer.FileEntry;
import io.p2pshare.transfer.Origin;
import io.p2pshare.transfer.PieceHasher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogTest {
  static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void cleanup() {
    testKit.shutdownTestKit();
  }

  private static CatalogScanner scanner(Path root, long pieceSize) throws Exception {
    for (String d : new String[] {"shared", "replicated", "downloaded"}) {
      Files.createDirectories(root.resolve(d));
    }
    return new CatalogScanner(root.resolve("shared"), root.resolve("replicated"),
        root.resolve("downloaded"), root.resolve(".hashes.json"), pieceSize);
  }

  @Test
  void restartWithUnchangedFilesDoesNotRehash(@TempDir Path root) throws Exception {
    CatalogScanner s = scanner(root, 1024);
    Files.write(root.resolve("shared/a.bin"), new byte[5000]);
    Files.writeString(root.resolve("replicated/b.txt"), "hello");
    CatalogScanner.Scan first = s.scan(s.load(), false);
    assertEquals(2, first.hashed());
    FileEntry a = first.entries().stream().filter(e -> e.name().equals("a.bin")).findFirst().orElseThrow();
    assertEquals(5, a.pieces().size(), "1 KiB pieces of a 5000-byte file");
    assertEquals(PieceHasher.hash(root.resolve("shared/a.bin"), 1024).sha256(), a.sha256());

    CatalogScanner restarted = scanner(root, 1024); // a new process: only the file on disk
    CatalogScanner.Scan second = restarted.scan(restarted.load(), false);
    assertEquals(0, second.hashed());
    assertEquals(2, second.entries().size());

    // A changed mtime (or size) is a different file: rehashed.
    Files.setLastModifiedTime(root.resolve("shared/a.bin"), FileTime.fromMillis(1_000_000L));
    assertEquals(1, restarted.scan(restarted.load(), false).hashed());
  }

  @Test
  void partsResumeRecordsHiddenFilesAndSymlinksAreIgnored(@TempDir Path root) throws Exception {
    CatalogScanner s = scanner(root, 1024);
    Files.writeString(root.resolve("downloaded/x.bin.part"), "partial");
    Files.writeString(root.resolve("downloaded/x.bin.resume"), "{}");
    Files.writeString(root.resolve("shared/.hidden"), "h");
    Files.writeString(root.resolve("outside.txt"), "secret");
    Files.createSymbolicLink(root.resolve("shared/link.txt"), root.resolve("outside.txt"));
    Files.writeString(root.resolve("downloaded/ok.txt"), "ok");
    CatalogScanner.Scan scan = s.scan(Map.of(), false);
    assertEquals(1, scan.entries().size());
    assertEquals("ok.txt", scan.entries().get(0).name());
    assertEquals(Origin.DOWNLOADED, scan.entries().get(0).origin());
  }

  @Test
  void catalogPublishesAViewAndSendsAddRemoveDeltas(@TempDir Path root) throws Exception {
    CatalogScanner s = scanner(root, 1024);
    Files.writeString(root.resolve("shared/one.txt"), "one");
    CatalogView view = new CatalogView();
    ActorRef<Catalog.Command> cat = testKit.spawn(
        Catalog.create("p1", s, view, Duration.ofMillis(200)));
    TestProbe<Catalog.Delta> sub = testKit.createTestProbe();
    cat.tell(new Catalog.Subscribe(sub.getRef()));
    Catalog.Delta full = sub.receiveMessage(Duration.ofSeconds(20));
    assertTrue(full.full());
    assertEquals(Set.of("one.txt"), full.added().keySet());
    assertEquals(3L, full.added().get("one.txt").sizeBytes());
    assertTrue(view.lookup("one.txt", Set.of(Origin.SHARED)).isPresent());
    assertTrue(view.lookup("one.txt", Set.of(Origin.DOWNLOADED)).isEmpty());

    Files.writeString(root.resolve("replicated/two.txt"), "two!");
    Catalog.Delta added = sub.receiveMessage(Duration.ofSeconds(20));
    assertEquals(Set.of("two.txt"), added.added().keySet());
    assertTrue(added.removed().isEmpty());
    assertFalse(added.full());

    Files.delete(root.resolve("shared/one.txt"));
    Catalog.Delta removed = sub.receiveMessage(Duration.ofSeconds(20));
    assertEquals(Set.of("one.txt"), removed.removed());
    assertTrue(view.lookup("one.txt", Set.of(Origin.values())).isEmpty());

    TestProbe<Catalog.Listing> lp = testKit.createTestProbe();
    cat.tell(new Catalog.ListFiles(Origin.REPLICATED, lp.getRef()));
    assertEquals("two.txt", lp.receiveMessage().files().get(0).name());
    TestProbe<Catalog.Found> fp = testKit.createTestProbe();
    cat.tell(new Catalog.Lookup("two.txt", fp.getRef()));
    assertTrue(fp.receiveMessage().entry().isPresent());
    testKit.stop(cat);
  }

  @Test
  void addKnownIsAnnouncedAtOnceWithoutRehash(@TempDir Path root) throws Exception {
    CatalogScanner s = scanner(root, 1024);
    CatalogView view = new CatalogView();
    ActorRef<Catalog.Command> cat = testKit.spawn(
        Catalog.create("p1", s, view, Duration.ofHours(1)));
    TestProbe<Catalog.Delta> sub = testKit.createTestProbe();
    cat.tell(new Catalog.Subscribe(sub.getRef()));
    assertTrue(sub.receiveMessage(Duration.ofSeconds(20)).full());
    Path f = root.resolve("downloaded/got.bin");
    Files.writeString(f, "data");
    FileEntry e = new FileEntry("got.bin", f, Origin.DOWNLOADED, 4,
        Files.getLastModifiedTime(f).toMillis(), "ab".repeat(32), 1024, java.util.List.of("ab".repeat(32)));
    cat.tell(new Catalog.AddKnown(e));
    Catalog.Delta d = sub.receiveMessage(Duration.ofSeconds(20));
    assertEquals("ab".repeat(32), d.added().get("got.bin").sha256());
    cat.tell(Catalog.Rescan.INSTANCE);
    sub.expectNoMessage(Duration.ofMillis(500)); // the rescan found it cached: no change
    testKit.stop(cat);
  }
}
