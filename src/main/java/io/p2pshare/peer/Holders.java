package io.p2pshare.peer;

import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.protocol.SearchResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Picks what to download and from whom out of search results: the file version most holders
 * agree on (by SHA-256; sizes when hashes are unknown), then up to {@code max} of its holders,
 * never ourselves, rotated by {@code spread} so that many downloads share the load.
 */
public final class Holders {
  /** The chosen version and its sources. */
  public record Choice(FileMeta meta, List<PeerAddress> sources) {}

  public static Choice choose(List<SearchResult> results, String selfPeerId, int max, int spread) {
    Map<String, Integer> votes = new HashMap<>();
    Map<String, FileMeta> metaByKey = new HashMap<>();
    for (SearchResult r : results) {
      if (r.peer() == null || r.meta() == null || Objects.equals(r.peerId(), selfPeerId)) {
        continue;
      }
      String k = key(r.meta());
      votes.merge(k, 1, Integer::sum);
      metaByKey.putIfAbsent(k, r.meta());
    }
    if (votes.isEmpty()) {
      return new Choice(null, List.of());
    }
    // Plain loops, no streams: a one-shot get runs this a thousand times in a cold JVM.
    String best = null;
    int bestVotes = 0;
    for (Map.Entry<String, Integer> e : votes.entrySet()) {
      int v = e.getValue();
      if (v > bestVotes || (v == bestVotes && e.getKey().compareTo(best) > 0)) {
        best = e.getKey();
        bestVotes = v;
      }
    }
    List<PeerAddress> srcs = new ArrayList<>();
    for (SearchResult r : results) {
      if (r.peer() != null && r.meta() != null && !Objects.equals(r.peerId(), selfPeerId)
          && key(r.meta()).equals(best) && r.peer().host() != null && r.peer().port() != null
          && !holds(srcs, r.peer().peerId())) {
        srcs.add(r.peer());
      }
    }
    if (!srcs.isEmpty()) {
      Collections.rotate(srcs, -Math.floorMod(spread, srcs.size()));
    }
    return new Choice(metaByKey.get(best), List.copyOf(srcs.subList(0, Math.min(max, srcs.size()))));
  }

  private static boolean holds(List<PeerAddress> srcs, String peerId) {
    for (PeerAddress p : srcs) {
      if (p.peerId().equals(peerId)) {
        return true;
      }
    }
    return false;
  }

  private static String key(FileMeta m) {
    return m.sha256() != null ? m.sha256().toLowerCase() : "size:" + m.sizeOrZero();
  }

  private Holders() {}
}
