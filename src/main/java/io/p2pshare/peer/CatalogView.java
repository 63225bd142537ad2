package io.p2pshare.peer;

import io.p2pshare.transfer.FileEntry;
import io.p2pshare.transfer.Origin;
import io.p2pshare.transfer.ServedFiles;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The published read view of the catalog: an immutable map swapped by the {@link Catalog} actor
 * (its only writer), read without locks by transfer connections.
 */
public final class CatalogView implements ServedFiles {
  private volatile Map<String, List<FileEntry>> byName = Map.of();

  void publish(Map<String, List<FileEntry>> snapshot) {
    this.byName = Map.copyOf(snapshot);
  }

  @Override
  public Optional<FileEntry> lookup(String name, Set<Origin> origins) {
    List<FileEntry> list = byName.get(name);
    if (list == null) {
      return Optional.empty();
    }
    for (FileEntry e : list) {
      if (origins.contains(e.origin())) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  public int size() {
    return byName.size();
  }
}
