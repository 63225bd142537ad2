package io.p2pshare.cli;

import io.p2pshare.transfer.Origin;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * What the interactive shell needs from a running peer. Every call answers asynchronously and
 * must complete (normally or with an exception) within the implementation's own timeout, so the
 * prompt never blocks on an actor that does not answer; the shell adds a safety timeout on top.
 * Implemented over the peer's actors by {@code ActorPeerConsole}, and by fakes in tests.
 */
public interface PeerConsole {

  /** Who holds {@code name} (exact), as the index sees it. */
  CompletionStage<Lookup> lookup(String name);

  /** Names containing {@code text} (case-insensitive), with their holders. */
  CompletionStage<SearchHits> search(String text);

  /**
   * Downloads {@code name} into the peer's downloaded/ directory, verified. {@code progress} is
   * called from any thread, as often as the implementation likes. Fails with a
   * {@link java.util.concurrent.CancellationException} when {@link #cancel} stopped it.
   */
  CompletionStage<Downloaded> download(String name, Consumer<Progress> progress);

  /** Stops a running download of {@code name}; true if one was running. */
  CompletionStage<Boolean> cancel(String name);

  /** The files this peer holds in one of its directories, sorted by name. */
  CompletionStage<List<LocalFile>> list(Origin origin);

  /** Peer-wide counters (uploads served, replication…); shown under the session's own stats. */
  CompletionStage<Counters> counters();

  /** Index connection, session and task state. */
  CompletionStage<Status> status();

  /** Live peers: how many the index counts, and the ones this peer knows the address of. */
  CompletionStage<Peers> peers();

  /** Background events (replication finished, index lost / reconnected), one line each. */
  void onEvent(Consumer<String> listener);

  /** Unregisters, closes ports and stops the peer; completes when it has stopped. */
  CompletionStage<Void> shutdown();

  // ---- answers -------------------------------------------------------------------------------

  /** One peer serving a file. {@code sha256} may be null (a base peer sends none). */
  record Holder(String peerId, String host, int port, long size, String sha256) {
    public String hostPort() {
      return host + ":" + port;
    }
  }

  /** Holders of one exact name; empty when nobody serves it. */
  record Lookup(String name, List<Holder> holders) {
    public Lookup {
      holders = List.copyOf(holders);
    }
  }

  /** One name found by a substring search. */
  record Hit(String name, long size, String sha256, List<String> peerIds) {
    public Hit {
      peerIds = List.copyOf(peerIds);
    }
  }

  /** Search answer; {@code truncated} when the index cut the list at its limit. */
  record SearchHits(String text, List<Hit> hits, boolean truncated) {
    public SearchHits {
      hits = List.copyOf(hits);
    }
  }

  /** A progress report: {@code totalBytes} is -1 until the size is known. */
  record Progress(long bytesDone, long totalBytes, int sources) {}

  /**
   * A finished, verified download. {@code sources} are host:port of the peers that sent bytes;
   * {@code resumedBytes} were already on disk from an earlier attempt.
   */
  record Downloaded(
      String name, List<String> sources, Path path, long bytes, double seconds, long resumedBytes,
      String sha256) {
    public Downloaded {
      sources = List.copyOf(sources);
    }
  }

  /** A file in one of the peer's directories. */
  record LocalFile(String name, long size) {}

  /** Peer-wide counters, label → value, in display order. */
  record Counters(Map<String, String> values) {
    public static final Counters NONE = new Counters(Map.of());
  }

  /** What {@code status} shows. {@code session}: registration state in a few words, or null. */
  record Status(
      String peerId, String serving, String index, boolean indexConnected, String session,
      int filesShared, int filesReplicated, int filesDownloaded, int tasksRunning,
      int tasksQueued, List<String> activeDownloads) {
    public Status {
      activeDownloads = List.copyOf(activeDownloads);
    }
  }

  /** A live peer as the index knows it. {@code files} is -1 when unknown. */
  record PeerInfo(String peerId, String host, int port, long files) {}

  /**
   * {@code live}: the index's count (-1 if it did not say); {@code known}: peers with their
   * address (the index has no "list peers" message, so these come from its answers).
   */
  record Peers(long live, List<PeerInfo> known) {
    public Peers {
      known = List.copyOf(known);
    }
  }
}
