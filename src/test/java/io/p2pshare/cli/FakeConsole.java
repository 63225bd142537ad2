package io.p2pshare.cli;

import io.p2pshare.transfer.Origin;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/** A scripted peer for shell tests: answers from maps, records what it was asked. */
final class FakeConsole implements PeerConsole {
  final Map<String, Lookup> lookups = new HashMap<>();
  final Map<Origin, List<LocalFile>> lists = new EnumMap<>(Origin.class);
  final List<String> calls = new CopyOnWriteArrayList<>();
  final Map<String, CompletableFuture<Downloaded>> running = new ConcurrentHashMap<>();
  /** How a download answers; default: finished at once from peer2. */
  Function<String, CompletableFuture<Downloaded>> downloads = name -> CompletableFuture.completedFuture(
      new Downloaded(name, List.of("127.0.0.1:7101"), Path.of("data/peer1/downloaded", name), 1024, 0.05, 0, null));
  Consumer<Consumer<Progress>> onDownloadStart = p -> {};
  CompletableFuture<Lookup> lookupOverride;
  CompletableFuture<Counters> counters = CompletableFuture.completedFuture(Counters.NONE);
  final List<Consumer<String>> listeners = new ArrayList<>();
  boolean stopped;

  @Override
  public CompletionStage<Lookup> lookup(String name) {
    calls.add("lookup " + name);
    if (lookupOverride != null) {
      return lookupOverride;
    }
    return CompletableFuture.completedFuture(lookups.getOrDefault(name, new Lookup(name, List.of())));
  }

  @Override
  public CompletionStage<SearchHits> search(String text) {
    calls.add("search " + text);
    List<Hit> hits = new ArrayList<>();
    lookups.values().stream().filter(l -> l.name().contains(text)).sorted((a, b) -> a.name().compareTo(b.name()))
        .forEach(l -> hits.add(new Hit(l.name(), l.holders().get(0).size(), null,
            l.holders().stream().map(Holder::peerId).toList())));
    return CompletableFuture.completedFuture(new SearchHits(text, hits, false));
  }

  @Override
  public CompletionStage<Downloaded> download(String name, Consumer<Progress> progress) {
    calls.add("download " + name);
    CompletableFuture<Downloaded> f = downloads.apply(name);
    running.put(name, f);
    onDownloadStart.accept(progress);
    return f;
  }

  @Override
  public CompletionStage<Boolean> cancel(String name) {
    calls.add("cancel " + name);
    CompletableFuture<Downloaded> f = running.remove(name);
    boolean was = f != null && !f.isDone();
    if (was) {
      f.completeExceptionally(new CancellationException("cancelled"));
    }
    return CompletableFuture.completedFuture(was);
  }

  @Override
  public CompletionStage<List<LocalFile>> list(Origin origin) {
    calls.add("list " + origin);
    return CompletableFuture.completedFuture(lists.getOrDefault(origin, List.of()));
  }

  @Override
  public CompletionStage<Counters> counters() {
    return counters;
  }

  @Override
  public CompletionStage<Status> status() {
    return CompletableFuture.completedFuture(new Status("peer1", "127.0.0.1:7100", "127.0.0.1:7000",
        true, "abcd1234", 2, 0, 1, 0, 0, List.copyOf(running.keySet())));
  }

  @Override
  public CompletionStage<Peers> peers() {
    return CompletableFuture.completedFuture(new Peers(1, List.of(new PeerInfo("peer1", "127.0.0.1", 7100, 2))));
  }

  @Override
  public void onEvent(Consumer<String> listener) {
    listeners.add(listener);
  }

  void fire(String event) {
    listeners.forEach(l -> l.accept(event));
  }

  @Override
  public CompletionStage<Void> shutdown() {
    calls.add("shutdown");
    stopped = true;
    return CompletableFuture.completedFuture(null);
  }
}
