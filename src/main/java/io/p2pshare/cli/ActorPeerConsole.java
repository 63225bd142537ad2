package io.p2pshare.cli;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AskPattern;
import io.p2pshare.config.Endpoint;
import io.p2pshare.config.PeerSettings;
import io.p2pshare.peer.Catalog;
import io.p2pshare.peer.Download;
import io.p2pshare.peer.Downloads;
import io.p2pshare.peer.IndexClient;
import io.p2pshare.peer.PeerGuardian;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.FrameSocket;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchResponse;
import io.p2pshare.protocol.SearchResult;
import io.p2pshare.protocol.StatsResponse;
import io.p2pshare.transfer.FileEntry;
import io.p2pshare.transfer.FileNames;
import io.p2pshare.transfer.Origin;
import io.p2pshare.transport.ClientSockets;
import io.p2pshare.transport.TlsSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The shell's view of a running peer, over its actors: asks from outside the actor system
 * ({@link AskPattern}, every ask with a timeout), a small watcher actor per download, and
 * {@link PeerEvents} for background messages.
 */
public final class ActorPeerConsole implements PeerConsole {
  private static final int SEARCH_LIMIT = 100;

  private final ActorSystem<PeerGuardian.Command> system;
  private final PeerGuardian.Node node;
  private final PeerSettings settings;
  private final Duration timeout;
  private final Executor blocking;
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
  /** Addresses of peers seen in the index's answers (it has no "list peers" message). */
  private final Map<String, PeerAddress> seen = new ConcurrentHashMap<>();
  private final AtomicLong watchers = new AtomicLong();
  private volatile boolean stopping;

  private ActorPeerConsole(ActorSystem<PeerGuardian.Command> system, PeerGuardian.Node node,
      Duration timeout, Duration eventsEvery) {
    this.system = system;
    this.node = node;
    this.settings = node.settings();
    this.timeout = timeout;
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    system.systemActorOf(PeerEvents.create(system, this::emit, eventsEvery), "cli-events",
        Props.empty());
  }

  /** Waits (at most {@code timeout}) for the guardian's children, then returns the console. */
  public static ActorPeerConsole connect(ActorSystem<PeerGuardian.Command> system, Duration timeout,
      Duration eventsEvery) throws Exception {
    PeerGuardian.Node node = AskPattern.<PeerGuardian.Command, PeerGuardian.Node>ask(
            system, PeerGuardian.GetNode::new, timeout, system.scheduler())
        .toCompletableFuture().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    return new ActorPeerConsole(system, node, timeout, eventsEvery);
  }

  private <Q, A> CompletionStage<A> ask(ActorRef<Q> to, Function<ActorRef<A>, Q> msg) {
    return AskPattern.ask(to, msg::apply, timeout, system.scheduler());
  }

  private CompletionStage<SearchResponse> searchIndex(SearchQuery q) {
    return this.<IndexClient.Command, IndexClient.SearchReply>ask(node.index(),
            r -> new IndexClient.Search(q, r))
        .thenApply(reply -> {
          if (reply.ok()) {
            return reply.response();
          }
          if (reply.error() != null && reply.error().contains("NOT_FOUND")) {
            return new SearchResponse("ok", q.fileName(), List.of(), false);
          }
          throw new IllegalStateException(reply.error() == null ? "the index refused the search" : reply.error());
        });
  }

  @Override
  public CompletionStage<Lookup> lookup(String name) {
    return searchIndex(SearchQuery.exact(name)).thenApply(r -> {
      List<Holder> holders = new ArrayList<>();
      for (SearchResult res : results(r)) {
        PeerAddress a = address(res);
        holders.add(new Holder(a.peerId(), a.host(), a.port() == null ? 0 : a.port(),
            res.meta() == null ? 0 : res.meta().sizeOrZero(), res.meta() == null ? null : res.meta().sha256()));
      }
      return new Lookup(name, holders);
    });
  }

  @Override
  public CompletionStage<SearchHits> search(String text) {
    return searchIndex(SearchQuery.contains(text, SEARCH_LIMIT)).thenApply(r -> {
      Map<String, List<SearchResult>> byName = new TreeMap<>();
      for (SearchResult res : results(r)) {
        address(res);
        String n = res.fileName() != null ? res.fileName() : r.fileName();
        byName.computeIfAbsent(n, k -> new ArrayList<>()).add(res);
      }
      List<Hit> hits = new ArrayList<>();
      byName.forEach((n, rs) -> hits.add(new Hit(n,
          rs.get(0).meta() == null ? 0 : rs.get(0).meta().sizeOrZero(),
          rs.get(0).meta() == null ? null : rs.get(0).meta().sha256(),
          rs.stream().map(SearchResult::peerId).toList())));
      return new SearchHits(text, hits, Boolean.TRUE.equals(r.truncated()));
    });
  }

  private static List<SearchResult> results(SearchResponse r) {
    return r == null || r.results() == null ? List.of() : r.results();
  }

  /** The holder's address, remembered for {@code peers} and for naming download sources. */
  private PeerAddress address(SearchResult res) {
    PeerAddress a = res.peer() != null ? res.peer() : new PeerAddress(res.peerId(), "?", 0);
    seen.put(a.peerId(), a);
    return a;
  }

  @Override
  public CompletionStage<Downloaded> download(String typed, Consumer<Progress> progress) {
    String name;
    try {
      // A plain name only: never let a name like ../x place a file outside downloaded/.
      name = FileNames.validate(typed);
    } catch (RuntimeException e) {
      String why = String.valueOf(e.getMessage());
      int quoted = why.lastIndexOf(": \""); // the name again; we show it once
      return CompletableFuture.failedFuture(new IllegalArgumentException("'" + FileNames.printable(typed)
          + "' is not a plain file name (" + (quoted > 0 ? why.substring(0, quoted) : why) + ")"));
    }
    CompletableFuture<Download.Event> outcome = new CompletableFuture<>();
    // A lookup first: the holders' addresses name the sources in the final line, as the reference.
    return lookup(name).exceptionally(t -> null).thenCompose(l -> {
      ActorRef<Download.Event> watcher = system.systemActorOf(
          DownloadWatcher.create(progress, outcome), "cli-download-" + watchers.incrementAndGet(),
          Props.empty());
      system.tell(new PeerGuardian.StartDownload(name, watcher));
      return outcome;
    }).thenApply(e -> {
      if (e instanceof Download.Finished f) {
        List<String> from = f.sources().stream()
            .map(id -> seen.containsKey(id) ? seen.get(id).hostPort() : id).toList();
        return new Downloaded(f.fileName(), from, f.path(), f.size(), f.seconds(), f.resumedBytes(),
            f.sha256());
      }
      Download.Failed x = (Download.Failed) e;
      if ("CANCELLED".equals(x.code())) {
        throw new CancellationException("cancelled");
      }
      if ("NOT_FOUND".equals(x.code())) {
        throw new IllegalStateException("No peers serving '" + name + "'.");
      }
      throw new IllegalStateException(x.error() == null ? x.code() : x.error());
    });
  }

  @Override
  public CompletionStage<Boolean> cancel(String name) {
    return this.<Downloads.Command, Boolean>ask(node.downloads(),
        r -> new Downloads.Cancel(name, settings.downloadDir(), r));
  }

  @Override
  public CompletionStage<List<LocalFile>> list(Origin origin) {
    return this.<Catalog.Command, Catalog.Listing>ask(node.catalog(), r -> new Catalog.ListFiles(origin, r))
        .thenApply(l -> l.files().stream()
            .sorted(Comparator.comparing(FileEntry::name))
            .map(f -> new LocalFile(f.name(), f.size())).toList());
  }

  private CompletionStage<PeerGuardian.PeerStatus> peerStatus() {
    return this.<PeerGuardian.Command, PeerGuardian.PeerStatus>ask(system, PeerGuardian.GetStatus::new);
  }

  @Override
  public CompletionStage<Counters> counters() {
    return peerStatus().thenApply(s -> {
      Map<String, String> c = new LinkedHashMap<>();
      if (s.replication() != null) {
        var r = s.replication();
        c.put("Replication", r.done() + " done, " + r.failed() + " failed, " + r.running().size()
            + " running, " + r.queued().size() + " queued");
      }
      if (s.index() != null) {
        c.put("Index", s.index().files() + " files registered, " + s.index().reconnects() + " reconnects");
      }
      return new Counters(c);
    });
  }

  @Override
  public CompletionStage<Status> status() {
    CompletionStage<Catalog.Listing> all =
        this.<Catalog.Command, Catalog.Listing>ask(node.catalog(), r -> new Catalog.ListFiles(null, r));
    return peerStatus().thenCombine(all, (s, files) -> {
      Map<Origin, Integer> count = new LinkedHashMap<>();
      files.files().forEach(f -> count.merge(f.origin(), 1, Integer::sum));
      var idx = s.index();
      var rep = s.replication();
      String session = idx == null ? null
          : idx.registered() ? "registered"
          : "not registered" + (idx.lastError() == null ? "" : " (" + idx.lastError() + ")");
      List<String> active = s.downloads() == null ? List.of() : s.downloads().items().stream()
          .filter(i -> i.targetDir().toAbsolutePath().equals(settings.downloadDir().toAbsolutePath()))
          .map(i -> i.fileName() + (i.total() > 0 ? " (" + (i.bytes() * 100 / i.total()) + "%)" : ""))
          .toList();
      return new Status(settings.peerId(),
          settings.host() + ":" + s.transferAddress().getPort(),
          idx == null ? String.valueOf(settings.index()) : String.valueOf(idx.index()),
          idx != null && idx.connected(), session,
          count.getOrDefault(Origin.SHARED, 0), count.getOrDefault(Origin.REPLICATED, 0),
          count.getOrDefault(Origin.DOWNLOADED, 0),
          rep == null ? 0 : rep.running().size(), rep == null ? 0 : rep.queued().size(), active);
    });
  }

  @Override
  public CompletionStage<Peers> peers() {
    Endpoint index = settings.index();
    CompletableFuture<Long> live = CompletableFuture.supplyAsync(() -> {
      try (FrameSocket s = FrameSocket.connect(ClientSockets.of(TlsSettings.forClient(settings.tls())),
          index.host(), index.port(), (int) timeout.toMillis(), settings.peerId())) {
        Envelope reply = s.request(MessageType.STATS_REQUEST, Map.of());
        StatsResponse r = reply.payloadAs(StatsResponse.class);
        return r.peersLive() == null ? -1L : r.peersLive().longValue();
      } catch (Exception e) {
        return -1L; // index unreachable: still list the peers we know
      }
    }, blocking);
    return live.thenApply(n -> {
      List<PeerInfo> known = new ArrayList<>();
      known.add(new PeerInfo(settings.peerId(), settings.host(), node.transferAddress().getPort(), -1));
      seen.values().stream()
          .filter(a -> !a.peerId().equals(settings.peerId()))
          .sorted(Comparator.comparing(PeerAddress::peerId))
          .forEach(a -> known.add(new PeerInfo(a.peerId(), a.host(), a.port() == null ? 0 : a.port(), -1)));
      return new Peers(n, known);
    });
  }

  @Override
  public void onEvent(Consumer<String> listener) {
    listeners.add(listener);
  }

  private void emit(String line) {
    if (!stopping) { // the index "lost" while we leave it is no news
      listeners.forEach(l -> l.accept(line));
    }
  }

  /** Coordinated shutdown: unregister (the guardian's task), unbind, stop. */
  @Override
  public CompletionStage<Void> shutdown() {
    stopping = true;
    system.terminate();
    return system.getWhenTerminated().thenApply(d -> null);
  }
}
