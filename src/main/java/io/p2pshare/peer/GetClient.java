package io.p2pshare.peer;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import io.p2pshare.config.Endpoint;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.FrameSocket;
import io.p2pshare.protocol.HotFrames;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchResponse;
import io.p2pshare.protocol.SearchResult;
import io.p2pshare.transfer.Origin;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * A download client without serving: one search-only {@link IndexClient}, a {@link Downloads}
 * parent and a pool of persistent source connections, inside an actor system the caller owns.
 * Used by {@code get} and by benchmarks. Same verified download code as a peer.
 */
public final class GetClient implements AutoCloseable {
  /** Search results per file name, alphabetical. */
  public record Match(String fileName, List<SearchResult> holders) {}

  private static final String REFINE_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789._-";
  private static final int MAX_REFINE_DEPTH = 4;
  /** Pipelined small-file connections per run, and requests in flight on each. */
  private static final int SMALL_CONNECTIONS = 4;
  private static final int SMALL_WINDOW = 32;

  private final ActorSystem<?> system;
  /** The Download actors and their index client: started on first need (see {@link #downloads}). */
  private ActorRef<Downloads.Command> downloads;
  private final SourcePool pool;
  private final String clientId;
  private final PieceTransfers transfers;
  private final long pieceSize;
  private final int concurrency;
  private final Endpoint indexEndpoint;
  /** A blocking index connection for {@link #downloadNow}; opened on first use. */
  private FrameSocket lookup;
  /** Plain or TLS, as installed in the system's NodeTls (the index lookup and every source). */
  private final io.p2pshare.transport.ClientSockets sockets;

  public GetClient(ActorSystem<?> system, Endpoint indexEndpoint, long maxDownloadRate,
      long pieceSize, int concurrency) {
    this.system = system;
    this.clientId = "get-" + ProcessHandle.current().pid();
    this.indexEndpoint = indexEndpoint;
    this.sockets = io.p2pshare.transport.NodeTls.sockets(system);
    this.pool = new SourcePool(clientId, Math.max(4, concurrency), 30_000, sockets);
    this.transfers = new PieceTransfers(pool, new RateLimiter(maxDownloadRate));
    this.pieceSize = pieceSize;
    this.concurrency = concurrency;
  }

  /**
   * The {@link Downloads} parent, started with its Streams index connection on first use: a
   * {@code get --match} of small files never needs them, and starting Akka IO and a stream
   * in the middle of its batches cost a fresh JVM tens of milliseconds. Callers that know they
   * will need them (named files: the actors look their holders up) start them ahead with
   * {@link #startDownloadActors}.
   */
  public void startDownloadActors() {
    downloads();
  }

  private synchronized ActorRef<Downloads.Command> downloads() {
    if (downloads == null) {
      String suffix = Long.toString(System.nanoTime(), 36);
      ActorRef<IndexClient.Command> index = system.systemActorOf(
          IndexClient.create(IndexClient.Options.searchOnly(clientId, indexEndpoint), null),
          "get-index-" + suffix, Props.empty());
      Download.Deps deps = new Download.Deps(index, null, transfers,
          system.dispatchers().lookup(DispatcherSelector.blocking()), clientId, 4, pieceSize,
          Duration.ofSeconds(30));
      downloads = system.systemActorOf(Downloads.create(deps, concurrency),
          "get-downloads-" + suffix, Props.empty());
    }
    return downloads;
  }

  /** Every file whose name contains {@code text}, refining the query when the index truncates. */
  public CompletionStage<List<Match>> match(String text) {
    Map<String, List<SearchResult>> byName = new TreeMap<>();
    return collect(text, 0, byName).thenApply(v -> {
      List<Match> out = new ArrayList<>();
      byName.forEach((n, r) -> out.add(new Match(n, r)));
      return out;
    });
  }

  private CompletionStage<Void> collect(String text, int depth, Map<String, List<SearchResult>> into) {
    return search(SearchQuery.contains(text, SearchQuery.MAX_LIMIT)).thenCompose(resp -> {
      synchronized (into) {
        for (SearchResult r : resp.results() == null ? List.<SearchResult>of() : resp.results()) {
          if (r.fileName() == null) {
            continue;
          }
          addHolder(into, r.fileName(), r);
        }
      }
      if (!Boolean.TRUE.equals(resp.truncated()) || depth >= MAX_REFINE_DEPTH) {
        return CompletableFuture.completedFuture(null);
      }
      // Cut short: ask narrower questions (the text followed by each likely character, and
      // the exact name) and merge. Names are deduplicated above.
      List<CompletableFuture<Void>> more = new ArrayList<>();
      more.add(search(SearchQuery.exact(text)).thenAccept(exact -> {
        synchronized (into) {
          for (SearchResult r : exact.results() == null ? List.<SearchResult>of() : exact.results()) {
            addHolder(into, text, r);
          }
        }
      }).toCompletableFuture());
      for (char c : REFINE_CHARS.toCharArray()) {
        more.add(collect(text + c, depth + 1, into).toCompletableFuture());
      }
      return CompletableFuture.allOf(more.toArray(new CompletableFuture[0]));
    });
  }

  /** Adds {@code r} under {@code name} unless that peer is listed already (plain loop: cold path). */
  private static void addHolder(Map<String, List<SearchResult>> into, String name, SearchResult r) {
    List<SearchResult> l = into.get(name);
    if (l == null) {
      l = new ArrayList<>(2);
      into.put(name, l);
    }
    for (SearchResult x : l) {
      if (x.peerId() != null && x.peerId().equals(r.peerId())) {
        return;
      }
    }
    l.add(r);
  }

  /**
   * A search over this client's blocking index connection, on the blocking-IO dispatcher: no
   * stream to materialize before the first answer (a one-shot {@code get} spends its first
   * hundreds of milliseconds there otherwise).
   */
  public CompletionStage<SearchResponse> search(SearchQuery q) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return searchNow(q);
      } catch (IOException e) {
        throw new java.util.concurrent.CompletionException(new IllegalStateException(
            "search failed: " + e.getMessage()));
      }
    }, system.dispatchers().lookup(DispatcherSelector.blocking()));
  }

  /** A request for a matched file: its holders are known, no per-file search. */
  public static Download.Request request(Match m, Path out) {
    Holders.Choice c = Holders.choose(m.holders(), null, 4, m.fileName().hashCode());
    return new Download.Request(m.fileName(), out, Origin.DOWNLOADED, MessageType.OBTAIN_REQUEST,
        c.sources().isEmpty() ? null : c.sources(), c.meta());
  }

  /**
   * Runs the downloads; completes with one final event (Finished or Failed) per request, in
   * request order. Progress events go to {@code progress}. Small files whose holders and hash
   * are known (from {@link #match}) go first through pipelined batches, a few persistent
   * connections per source; whatever a batch could not finish goes through the per-file
   * {@link Download} actors, which try the other sources.
   */
  public CompletionStage<List<Download.Event>> download(List<Download.Request> requests,
      Consumer<Download.Progress> progress) {
    Download.Event[] results = new Download.Event[requests.size()];
    Map<PeerAddress, List<Integer>> small = new LinkedHashMap<>();
    for (int i = 0; i < requests.size(); i++) {
      Download.Request r = requests.get(i);
      if (r.holders() != null && !r.holders().isEmpty() && r.meta() != null
          && r.meta().sha256() != null && r.meta().sizeBytes() != null
          && r.meta().sizeBytes() <= Download.SMALL_FILE && r.meta().sizeBytes() <= pieceSize) {
        small.computeIfAbsent(r.holders().get(0), k -> new ArrayList<>()).add(i);
      }
    }
    List<CompletableFuture<Void>> batches = new ArrayList<>();
    var blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    int totalSmall = 0;
    for (List<Integer> l : small.values()) {
      totalSmall += l.size();
    }
    // A few connections, and no more requests in flight in total than a peer serves at once
    // by default (peer.max_uploads = 32): beyond that it answers BUSY.
    int connections = Math.max(1, Math.min(concurrency, SMALL_CONNECTIONS));
    int chunk = Math.max(32, (totalSmall + connections - 1) / connections);
    for (Map.Entry<PeerAddress, List<Integer>> g : small.entrySet()) {
      List<Integer> idx = g.getValue();
      for (int from = 0; from < idx.size(); from += chunk) {
        List<Integer> slice = idx.subList(from, Math.min(idx.size(), from + chunk));
        batches.add(CompletableFuture.runAsync(() -> runBatch(g.getKey(), slice, requests, results),
            blocking));
      }
    }
    return CompletableFuture.allOf(batches.toArray(new CompletableFuture[0]))
        .thenCompose(v -> {
          List<Integer> rest = new ArrayList<>();
          for (int i = 0; i < results.length; i++) {
            if (results[i] == null) {
              rest.add(i);
            }
          }
          List<Download.Request> left = new ArrayList<>(rest.size());
          for (int i : rest) {
            left.add(requests.get(i));
          }
          return viaActors(left, progress).thenApply(evs -> {
            for (int k = 0; k < rest.size(); k++) {
              results[rest.get(k)] = evs.get(k);
            }
            return List.of(results);
          });
        });
  }

  private void runBatch(PeerAddress src, List<Integer> slice, List<Download.Request> requests,
      Download.Event[] results) {
    List<PieceTransfers.SmallItem> items = new ArrayList<>();
    for (int i : slice) {
      Download.Request r = requests.get(i);
      items.add(new PieceTransfers.SmallItem(r.fileName(), r.meta().sizeBytes(), r.meta().sha256(),
          new PartFile(r.targetDir(), r.fileName())));
    }
    List<PieceTransfers.SmallOutcome> outs = transfers.smallBatch(src, MessageType.OBTAIN_REQUEST,
        items, pieceSize, SMALL_WINDOW);
    for (int k = 0; k < slice.size(); k++) {
      int i = slice.get(k);
      Download.Request r = requests.get(i);
      PieceTransfers.SmallOutcome o = outs.get(k);
      // Bad bytes or an error: left null, retried by a Download actor (other sources too).
      results[i] = o.small() == null ? null : smallEvent(i, r.fileName(), items.get(k).files(),
          r.meta(), src, o.small(), o.seconds());
    }
  }

  /** The final event of a one-step small fetch; null for bad bytes (another holder may do). */
  private static Download.Event smallEvent(long id, String name, PartFile pf, FileMeta m,
      PeerAddress src, PieceTransfers.Small r, double seconds) {
    long size = m.sizeBytes();
    if (r instanceof PieceTransfers.Published p) {
      return new Download.Finished(id, name, p.path(), size, m.sha256(), List.of(src.peerId()), seconds, 0, size);
    }
    if (r instanceof PieceTransfers.AlreadyThere) {
      return new Download.Finished(id, name, pf.target(), size, m.sha256(), List.of(), seconds, size, 0);
    }
    if (r instanceof PieceTransfers.Taken) {
      return new Download.Failed(id, name, "EXISTS", pf.target() + " exists and is not this file; not overwritten");
    }
    return null;
  }

  private CompletionStage<List<Download.Event>> viaActors(List<Download.Request> requests,
      Consumer<Download.Progress> progress) {
    CompletableFuture<List<Download.Event>> result = new CompletableFuture<>();
    if (requests.isEmpty()) {
      result.complete(List.of());
      return result;
    }
    ActorRef<Download.Event> collector = system.systemActorOf(
        collector(requests.size(), progress, result),
        "get-collector-" + Long.toString(System.nanoTime(), 36), Props.empty());
    ActorRef<Downloads.Command> parent = downloads();
    for (Download.Request r : requests) {
      parent.tell(new Downloads.Start(r, collector));
    }
    return result;
  }

  private static Behavior<Download.Event> collector(int expected, Consumer<Download.Progress> progress,
      CompletableFuture<List<Download.Event>> result) {
    Map<Long, Download.Event> done = new LinkedHashMap<>();
    return Behaviors.receive(Download.Event.class)
        .onMessage(Download.Progress.class, p -> {
          progress.accept(p);
          return Behaviors.same();
        })
        .onAnyMessage(e -> {
          done.put(e.id(), e);
          if (done.size() == expected) {
            List<Download.Event> ordered = new ArrayList<>(done.values());
            ordered.sort((a, b) -> Long.compare(a.id(), b.id()));
            result.complete(ordered);
            return Behaviors.stopped();
          }
          return Behaviors.same();
        })
        .build();
  }

  /**
   * One file, on the calling thread, when it is small: an exact search over a blocking index
   * connection, then the one-step fetch (into memory, verify, write, rename) from the first
   * holder that serves it verified. Larger files, unknown hashes and files no holder served
   * go through the {@link Download} actors with the holders already found. For callers with
   * threads of their own (benchmark workers): no actor or thread hop per small file.
   */
  public Download.Event downloadNow(String name, Path outDir) throws Exception {
    return downloadNow(name, outDir, null);
  }

  /**
   * As {@link #downloadNow(String, Path)}, with the holders already looked up ({@link #lookup});
   * null searches first.
   */
  public Download.Event downloadNow(String name, Path outDir, List<SearchResult> found) throws Exception {
    long t0 = System.nanoTime();
    List<SearchResult> results = found;
    if (results == null) {
      SearchResponse resp = searchNow(SearchQuery.exact(name));
      results = resp.results() == null ? List.of() : resp.results();
    }
    if (results.isEmpty()) {
      return new Download.Failed(0, name, "NOT_FOUND", "no live peer holds '" + name + "'");
    }
    Holders.Choice c = Holders.choose(results, null, 4, name.hashCode());
    FileMeta m = c.meta();
    if (m != null && m.sha256() != null && m.sizeBytes() != null && !c.sources().isEmpty()
        && m.sizeBytes() <= Download.SMALL_FILE && m.sizeBytes() <= pieceSize) {
      long size = m.sizeBytes();
      PartFile pf = new PartFile(outDir, name);
      for (PeerAddress src : c.sources()) {
        PieceTransfers.Small r;
        try {
          r = transfers.small(src, MessageType.OBTAIN_REQUEST, pf, size, m.sha256(), pieceSize);
        } catch (IOException e) {
          continue; // busy or broken: the next holder, then the actors (with their retries)
        }
        Download.Event e = smallEvent(0, name, pf, m, src, r, (System.nanoTime() - t0) / 1e9);
        if (e != null) {
          return e;
        } // bad bytes: the next holder
      }
    }
    Download.Request req = new Download.Request(name, outDir, Origin.DOWNLOADED,
        MessageType.OBTAIN_REQUEST, c.sources().isEmpty() ? null : c.sources(), m);
    return download(List.of(req), p -> { }).toCompletableFuture().get().get(0);
  }

  /** Exact searches in flight at once on the lookup connection. */
  private static final int LOOKUP_WINDOW = 64;

  /**
   * The holders of each name (an empty list where no live peer holds it), by exact searches
   * pipelined over this client's blocking index connection (the index answers a connection's
   * requests in order): a few round trips for a whole list instead of one per name, and the
   * index reads and answers them in batches. Reconnects once if the connection broke.
   */
  public Map<String, List<SearchResult>> lookup(List<String> names) throws IOException {
    return onLookup(s -> {
      Map<String, List<SearchResult>> out = new LinkedHashMap<>();
      Pipelined p = new Pipelined(s, names);
      for (String name : names) {
        out.put(name, p.next());
      }
      return out;
    });
  }

  /**
   * Exact searches for a list of names on one connection: at most {@link #LOOKUP_WINDOW} in
   * flight, the answers read in order, each read sending the next request.
   */
  private final class Pipelined {
    private final FrameSocket socket;
    private final List<String> names;
    private int sent;
    private int received;

    Pipelined(FrameSocket socket, List<String> names) throws IOException {
      this.socket = socket;
      this.names = List.copyOf(names);
      fill();
    }

    private void fill() throws IOException {
      boolean wrote = false;
      while (sent < names.size() && sent - received < LOOKUP_WINDOW) {
        socket.write(Envelope.of(MessageType.SEARCH_REQUEST, clientId, clientId + "-l" + sent,
            new io.p2pshare.protocol.SearchRequest(SearchQuery.exact(names.get(sent)))));
        sent++;
        wrote = true;
      }
      if (wrote) {
        socket.flush();
      }
    }

    /** The next name's holders (empty where no live peer holds it). */
    List<SearchResult> next() throws IOException {
      SearchResponse r = readSearchReply(socket);
      received++;
      fill();
      return r.results() == null ? List.of() : r.results();
    }

    /** The name the next answer is for, or null when every answer was read. */
    String upcoming() {
      return received < names.size() ? names.get(received) : null;
    }

    boolean allRead() {
      return received == sent;
    }
  }

  /**
   * Exact searches for {@code names}, sent now (up to the window) and answered one by one as the
   * caller reaches each name with {@link LookupsAhead#take}: the first fetch starts after one
   * answer instead of after the whole list's, and the index works through the rest meanwhile.
   * The lookup connection belongs to the returned object until {@link LookupsAhead#close};
   * other searches of this client open their own meanwhile.
   */
  public LookupsAhead lookupAhead(List<String> names) throws IOException {
    FrameSocket s;
    synchronized (this) {
      s = lookup;
      lookup = null;
    }
    if (s == null) {
      s = FrameSocket.connect(sockets, indexEndpoint.host(), indexEndpoint.port(), 30_000, clientId);
    }
    try {
      return new LookupsAhead(s, new Pipelined(s, names));
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** Answers of {@link #lookupAhead}, taken in the order the names were given. */
  public final class LookupsAhead implements AutoCloseable {
    private final FrameSocket socket;
    private final Pipelined answers;
    private boolean broken;

    private LookupsAhead(FrameSocket socket, Pipelined answers) {
      this.socket = socket;
      this.answers = answers;
    }

    /**
     * The holders of {@code name} (empty where no live peer holds it), or null when the
     * answers broke off or {@code name} is not the next one: the caller then searches on its
     * own ({@link #downloadNow} with null holders does).
     */
    public List<SearchResult> take(String name) {
      if (broken || !name.equals(answers.upcoming())) {
        return null;
      }
      try {
        return answers.next();
      } catch (IOException | io.p2pshare.protocol.ProtocolException e) {
        broken = true;
        return null;
      }
    }

    /** Hands the connection back to the client when every answer was read, else closes it. */
    @Override
    public void close() {
      if (!broken && answers.allRead()) {
        synchronized (GetClient.this) {
          if (lookup == null) {
            lookup = socket;
            return;
          }
        }
      }
      try {
        socket.close();
      } catch (IOException ignored) {
        // unread answers go with it
      }
    }
  }

  /** An index search over this client's blocking connection (reconnects once if it broke). */
  private SearchResponse searchNow(SearchQuery q) throws IOException {
    return onLookup(s -> {
      s.send(Envelope.of(MessageType.SEARCH_REQUEST, clientId, java.util.UUID.randomUUID().toString(),
          new io.p2pshare.protocol.SearchRequest(q)));
      return readSearchReply(s);
    });
  }

  /** One exchange on the lookup connection. */
  private interface LookupCall<T> {
    T run(FrameSocket s) throws IOException;
  }

  /**
   * {@code call} on the blocking index connection (opened on first use, one caller at a time);
   * if it breaks, once more on a new connection.
   */
  private synchronized <T> T onLookup(LookupCall<T> call) throws IOException {
    for (int attempt = 0; ; attempt++) {
      try {
        if (lookup == null) {
          lookup = FrameSocket.connect(sockets, indexEndpoint.host(), indexEndpoint.port(), 30_000, clientId);
        }
        return call.run(lookup);
      } catch (IOException | io.p2pshare.protocol.ProtocolException e) {
        closeLookup();
        if (attempt > 0) {
          // No cause: the one-line error the user sees names the index, not just "refused".
          throw new IOException("index " + indexEndpoint.host() + ":" + indexEndpoint.port() + ": "
              + e.getMessage());
        }
      }
    }
  }

  /** The next search reply (a thousand results: no tree, no databind); an error is an IOException. */
  private static SearchResponse readSearchReply(FrameSocket s) throws IOException {
    byte[] line = s.readLine();
    SearchResponse r = HotFrames.searchResponse(line);
    if (!"ok".equals(r.status())) {
      throw new IOException("search failed: " + io.p2pshare.protocol.Frames.decode(line).payload());
    }
    return r;
  }

  private synchronized void closeLookup() {
    if (lookup != null) {
      try {
        lookup.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      lookup = null;
    }
  }

  /** The holders of a file as addresses (for messages). */
  public static List<PeerAddress> addresses(List<SearchResult> rs) {
    return rs.stream().map(SearchResult::peer).toList();
  }

  @Override
  public void close() {
    closeLookup();
    pool.close();
  }
}
