package io.p2pshare.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.FrameSocket;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchRequest;
import io.p2pshare.protocol.Wire;
import io.p2pshare.testing.IndexProcess;
import io.p2pshare.testing.JavaProcess;
import io.p2pshare.testing.PeerProcess;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue 9's chaos run with real processes: an index and a few peers, each peer sharing its own
 * files (every one of which the index must replicate once: RF 2), and batches of downloads by
 * real {@code get} processes, while a seeded monkey SIGKILLs a peer (sometimes a {@code get})
 * at random moments and restarts it. Failed downloads are retried. At the end every peer is up
 * again and the run checks: every download finished; every complete file anywhere verifies
 * against its source's SHA-256; every {@code .part} has its {@code .resume} record; the index
 * settles with no queued or running task, nothing under-replicated, and its counts (STATS and
 * one search per name) equal the files on the peers' disks.
 */
final class Chaos {
  /** The knobs of one run. */
  record Plan(int peers, int files, int downloads, int batch, int parallelGets, long seed,
      long killEveryMinMs, long killEveryMaxMs, long downMaxMs, int minPeerKills, String uploadRate, int indexKills) {}

  /** What a run did, for the closing note. */
  record Figures(long seed, int downloadsDone, int peerKills, int getKills, int indexKills,
      int indexKillsMidTask, int getRuns, int retries, int replicationDone, int replicationFailed,
      int replicas, int verifiedFiles, int partsLeft, double seconds, double loadAverage) {
    @Override
    public String toString() {
      return String.format("seed=%d downloads=%d get-runs=%d retries=%d peer-kills=%d get-kills=%d "
          + "index-kills=%d (mid-task %d) replication-tasks-done=%d replication-tasks-failed=%d "
          + "replicas-on-disk=%d verified-files=%d parts-left=%d seconds=%.1f load-avg=%.2f", seed,
          downloadsDone, getRuns, retries, peerKills, getKills, indexKills, indexKillsMidTask,
          replicationDone, replicationFailed, replicas, verifiedFiles, partsLeft, seconds, loadAverage);
    }
  }

  static final String CONFIG = "{\"replication\":{\"heartbeat_interval_ms\":500,\"peer_expiry_ms\":3000,"
      + "\"rereplication_grace_ms\":3000,\"max_tasks_per_peer\":4},"
      + "\"peer\":{\"piece_size_bytes\":1048576}}";
  static final int MAX_ATTEMPTS = 40;

  private final Path tmp;
  private final Plan plan;
  private final Random random;
  private final Path data;
  private final Path cfg;
  private final Map<String, String> sha = new TreeMap<>();
  private final PeerProcess[] peers;
  private final int[] incarnation;
  private final Set<Process> runningGets = ConcurrentHashMap.newKeySet();
  private final AtomicInteger retries = new AtomicInteger();
  private final AtomicInteger getRuns = new AtomicInteger();
  private final AtomicInteger done = new AtomicInteger();
  private int peerKills;
  private int getKills;
  private int indexKills;
  private int indexKillsMidTask;
  /** Task counters of index incarnations killed so far (a restarted index counts from zero). */
  private int tasksDoneBefore;
  private int tasksFailedBefore;

  Chaos(Path tmp, Plan plan) {
    this.tmp = tmp;
    this.plan = plan;
    this.random = new Random(plan.seed());
    this.data = tmp.resolve("data");
    this.cfg = tmp.resolve("config.json");
    this.peers = new PeerProcess[plan.peers()];
    this.incarnation = new int[plan.peers()];
  }

  Figures run() throws Exception {
    System.out.println("chaos: seed " + plan.seed() + " (rerun with -Dchaos.seed=" + plan.seed() + ")");
    long t0 = System.nanoTime();
    Files.writeString(cfg, CONFIG);
    generate();
    List<List<String>> batches = batches();
    try (IndexProcess index = new IndexProcess(tmp.resolve("index"), CONFIG).start()) {
      try {
        for (int i = 0; i < peers.length; i++) {
          startPeer(index, i);
        }
        for (PeerProcess p : peers) {
          p.awaitStarted();
        }
        AtomicBoolean downloading = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(plan.parallelGets());
        List<Future<?>> work = new ArrayList<>();
        for (int b = 0; b < batches.size(); b++) {
          int k = b;
          work.add(pool.submit(() -> {
            downloadBatch(index, k, batches.get(k));
            return null;
          }));
        }
        pool.shutdown();
        Thread monkey = new Thread(() -> monkey(index, downloading), "chaos-monkey");
        monkey.start();
        try {
          for (Future<?> f : work) {
            f.get(30, TimeUnit.MINUTES);
          }
        } finally {
          downloading.set(false);
          monkey.join(TimeUnit.MINUTES.toMillis(3));
          pool.shutdownNow();
        }
        for (int i = 0; i < peers.length; i++) {
          if (peers[i] == null || !alive(peers[i])) {
            startPeer(index, i).awaitStarted();
          }
        }
        int[] tasks = settle(index);
        int verified = verifyDisks();
        int parts = checkParts();
        Figures f = new Figures(plan.seed(), done.get(), peerKills, getKills, indexKills, indexKillsMidTask,
            getRuns.get(), retries.get(), tasksDoneBefore + tasks[0], tasksFailedBefore + tasks[1], replicas(),
            verified, parts, (System.nanoTime() - t0) / 1e9,
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.println("chaos: " + f);
        return f;
      } finally {
        for (Process g : runningGets) { // a failed batch leaves the others' gets running
          g.destroyForcibly();
        }
        for (PeerProcess p : peers) {
          if (p != null) {
            p.kill();
          }
        }
      }
    }
  }

  // ---- set-up ----

  private void generate() throws Exception {
    for (int i = 0; i < plan.files(); i++) {
      String peer = "peer" + (i % plan.peers() + 1);
      int roll = random.nextInt(100);
      int size = roll < 60 ? 1 + random.nextInt(64 * 1024)
          : roll < 90 ? 256 * 1024 + random.nextInt(2 << 20)
          : (5 << 20) + random.nextInt(3 << 20); // several 1 MiB pieces
      byte[] bytes = new byte[size];
      random.nextBytes(bytes);
      String name = String.format("%s_c_%04d.bin", peer, i);
      Path dir = Files.createDirectories(data.resolve(peer).resolve("shared"));
      Files.write(dir.resolve(name), bytes);
      sha.put(name, hex(bytes));
    }
  }

  private List<List<String>> batches() {
    List<String> names = new ArrayList<>(sha.keySet());
    List<List<String>> out = new ArrayList<>();
    for (int left = plan.downloads(); left > 0; left -= plan.batch()) {
      List<String> shuffled = new ArrayList<>(names);
      java.util.Collections.shuffle(shuffled, random);
      out.add(new ArrayList<>(shuffled.subList(0, Math.min(left, Math.min(plan.batch(), names.size())))));
    }
    return out;
  }

  private PeerProcess startPeer(IndexProcess index, int i) throws Exception {
    String id = "peer" + (i + 1);
    incarnation[i]++;
    peers[i] = new PeerProcess(id, data, index.address(), tmp.resolve("logs").resolve(id + "-" + incarnation[i]),
        List.of("-Xmx160m"), "--config", cfg.toString(), "--max-upload-rate", plan.uploadRate());
    return peers[i];
  }

  private static boolean alive(PeerProcess p) {
    try {
      return p.port() > 0 && p.isAlive();
    } catch (RuntimeException e) {
      return false;
    }
  }

  // ---- the workload ----

  /** One batch: a {@code get} for the names still missing, again and again until all arrived. */
  private void downloadBatch(IndexProcess index, int k, List<String> names) throws Exception {
    Path out = tmp.resolve("clients").resolve("b" + k);
    Set<String> missing = new TreeSet<>(names);
    for (int attempt = 1; !missing.isEmpty(); attempt++) {
      if (attempt > MAX_ATTEMPTS) {
        fail("batch " + k + " still misses " + missing + " after " + MAX_ATTEMPTS + " attempts; logs in " + tmp);
      }
      if (attempt > 1) {
        retries.incrementAndGet();
        Thread.sleep(500L * Math.min(attempt, 6)); // give a killed source time to come back
      }
      Path log = tmp.resolve("gets").resolve("b" + k + "-" + attempt);
      Files.createDirectories(log);
      List<String> args = new ArrayList<>(List.of("get"));
      args.addAll(missing);
      args.addAll(List.of("--index", index.address(), "--out", out.toString(), "--json",
          "--config", cfg.toString()));
      Process p = JavaProcess.start(log.resolve("out"), log.resolve("err"), List.of("-Xmx128m"),
          args.toArray(String[]::new));
      getRuns.incrementAndGet();
      runningGets.add(p);
      try {
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
          p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
          continue;
        }
      } catch (InterruptedException stopped) { // the run is over (another batch failed)
        p.destroyForcibly();
        throw stopped;
      } finally {
        runningGets.remove(p);
      }
      String json = Files.readString(log.resolve("out")).trim();
      if (json.isEmpty()) {
        continue; // killed, or failed before printing
      }
      for (JsonNode f : Wire.MAPPER.readTree(json).get("files")) {
        String name = f.get("file_name").asText();
        assertEquals(sha.get(name), f.get("sha256").asText(), "get reported the source's hash");
        if (missing.remove(name)) {
          done.incrementAndGet();
        }
      }
    }
  }

  /** Kills one random peer (now and then a get instead) at random moments, then restarts it. */
  private void monkey(IndexProcess index, AtomicBoolean running) {
    try {
      boolean first = true;
      // Strikes while downloads run, and at least minPeerKills times (after the downloads
      // ended, a kill still tests restart, re-registration and re-replication).
      while (running.get() || peerKills < plan.minPeerKills() || indexKills < plan.indexKills()) {
        long pause;
        int who;
        boolean aGet;
        long down;
        synchronized (random) {
          pause = plan.killEveryMinMs()
              + (long) (random.nextDouble() * (plan.killEveryMaxMs() - plan.killEveryMinMs()));
          who = random.nextInt(peers.length);
          aGet = random.nextInt(5) == 0;
          down = 300 + (long) (random.nextDouble() * plan.downMaxMs());
        }
        if (first) {
          pause /= 4; // the first strike lands in the initial replication
          first = false;
        }
        if (!sleepWhile(running, pause) && peerKills >= plan.minPeerKills()
            && indexKills >= plan.indexKills()) {
          return;
        }
        if (indexKills < plan.indexKills()) {
          killIndexMidReplication(index, down);
          continue;
        }
        if (aGet && running.get()) {
          for (Process g : runningGets) {
            g.destroyForcibly();
            getKills++;
            System.out.println("chaos: killed a get");
            break;
          }
          continue;
        }
        peers[who].kill();
        peerKills++;
        System.out.println("chaos: killed peer" + (who + 1) + ", restart in " + down + " ms");
        Thread.sleep(down); // a dead peer stays dead for a while: sometimes past its expiry
        startPeer(index, who).awaitStarted();
      }
    } catch (Exception e) {
      e.printStackTrace(System.out);
    }
  }

  /** Waits for a replication task in flight, kill -9s the index, restarts it on its port. */
  private void killIndexMidReplication(IndexProcess index, long down) throws Exception {
    // The first time, replication is surely under way soon; later there may be nothing to copy.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(indexKills == 0 ? 60 : 10);
    while (true) { // samples the counters once more at the deadline, then kills anyway
      try (FrameSocket s = FrameSocket.connect("127.0.0.1", index.port(), 10_000, "chaos")) {
        JsonNode t = s.request(MessageType.STATS_REQUEST, Map.of()).payload().get("tasks");
        if (t.get("running").asInt() > 0 || System.nanoTime() > deadline) {
          indexKillsMidTask += t.get("running").asInt() > 0 ? 1 : 0;
          tasksDoneBefore += t.get("done").asInt();
          tasksFailedBefore += t.get("failed").asInt();
          break;
        }
      }
      Thread.sleep(50);
    }
    index.kill();
    indexKills++;
    System.out.println("chaos: killed the index mid-replication, restart in " + down + " ms");
    Thread.sleep(down);
    index.start();
  }

  /** Sleeps {@code ms} (cut short when the run ends and enough kills happened). */
  private boolean sleepWhile(AtomicBoolean running, long ms) throws InterruptedException {
    long end = System.nanoTime() + ms * 1_000_000;
    while ((running.get() || peerKills < plan.minPeerKills() || indexKills < plan.indexKills())
        && System.nanoTime() < end) {
      Thread.sleep(Math.min(100, ms));
    }
    return running.get();
  }

  // ---- the checks ----

  /** Waits until the index agrees with the disks and has no open task; returns {done, failed}. */
  private int[] settle(IndexProcess index) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    String last = "";
    while (true) {
      JsonNode stats;
      try (FrameSocket s = FrameSocket.connect("127.0.0.1", index.port(), 10_000, "chaos")) {
        stats = s.request(MessageType.STATS_REQUEST, Map.of()).payload();
        Map<String, Set<String>> disk = diskHolders();
        String diff = compare(s, stats, disk);
        if (diff.isEmpty()) {
          JsonNode t = stats.get("tasks");
          return new int[] {t.get("done").asInt(), t.get("failed").asInt()};
        }
        last = diff + "; stats " + stats;
      }
      if (System.nanoTime() > deadline) {
        fail("the index never matched the disks: " + last + "; logs in " + tmp);
      }
      Thread.sleep(500);
    }
  }

  private String compare(FrameSocket s, JsonNode stats, Map<String, Set<String>> disk) throws IOException {
    int live = stats.get("peers_live").asInt();
    JsonNode t = stats.get("tasks");
    if (live != peers.length || stats.get("under_replicated").asInt() != 0
        || t.get("queued").asInt() != 0 || t.get("running").asInt() != 0) {
      return "not settled";
    }
    int entries = disk.values().stream().mapToInt(Set::size).sum();
    if (stats.get("files").asInt() != disk.size() || stats.get("entries").asInt() != entries) {
      return "counts: disk has " + disk.size() + " files, " + entries + " entries";
    }
    for (Map.Entry<String, Set<String>> e : disk.entrySet()) {
      Envelope r = s.request(MessageType.SEARCH_REQUEST, new SearchRequest(SearchQuery.exact(e.getKey())));
      Set<String> holders = new TreeSet<>();
      for (JsonNode h : r.payload().get("results")) {
        holders.add(h.get("peer_id").asText());
      }
      if (!holders.equals(e.getValue())) {
        return e.getKey() + ": index says " + holders + ", disks say " + e.getValue();
      }
    }
    return "";
  }

  /** name → the peers that hold a complete copy in shared/, replicated/ or downloaded/. */
  private Map<String, Set<String>> diskHolders() throws IOException {
    Map<String, Set<String>> out = new TreeMap<>();
    for (int i = 1; i <= peers.length; i++) {
      String id = "peer" + i;
      for (String sub : List.of("shared", "replicated", "downloaded")) {
        for (Path f : completeFiles(data.resolve(id).resolve(sub))) {
          out.computeIfAbsent(f.getFileName().toString(), k -> new TreeSet<>()).add(id);
        }
      }
    }
    return out;
  }

  /** Complete copies in the peers' replicated/ directories. */
  private int replicas() throws IOException {
    int n = 0;
    for (int i = 1; i <= peers.length; i++) {
      n += completeFiles(data.resolve("peer" + i).resolve("replicated")).size();
    }
    return n;
  }

  /** Every complete file on every peer and every client verifies against its source. */
  private int verifyDisks() throws Exception {
    int n = 0;
    for (Path dir : allDirs()) {
      for (Path f : completeFiles(dir)) {
        String name = f.getFileName().toString();
        assertTrue(sha.containsKey(name), "unexpected file " + f);
        assertEquals(sha.get(name), hex(Files.readAllBytes(f)), f + " verifies");
        n++;
      }
    }
    return n;
  }

  /** Every .part has its .resume record; returns how many were left (with records). */
  private int checkParts() throws IOException {
    int n = 0;
    for (Path dir : allDirs()) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (var s = Files.list(dir)) {
        for (Path p : s.toList()) {
          String name = p.getFileName().toString();
          if (name.endsWith(CatalogScanner.PART_SUFFIX)) {
            String base = name.substring(0, name.length() - CatalogScanner.PART_SUFFIX.length());
            assertTrue(Files.exists(dir.resolve(base + CatalogScanner.RESUME_SUFFIX)),
                p + " has no resume record");
            n++;
          }
        }
      }
    }
    return n;
  }

  private List<Path> allDirs() throws IOException {
    List<Path> dirs = new ArrayList<>();
    for (int i = 1; i <= peers.length; i++) {
      for (String sub : List.of("shared", "replicated", "downloaded")) {
        dirs.add(data.resolve("peer" + i).resolve(sub));
      }
    }
    Path clients = tmp.resolve("clients");
    if (Files.isDirectory(clients)) {
      try (var s = Files.list(clients)) {
        dirs.addAll(s.toList());
      }
    }
    return dirs;
  }

  private static List<Path> completeFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (var s = Files.list(dir)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> !CatalogScanner.ignored(p.getFileName().toString()))
          .toList();
    }
  }

  static String hex(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
