package io.p2pshare.transfer;

import java.util.Optional;

/**
 * The read view of a peer's files that the transfer server serves from. Published by the
 * catalog actor (its only writer); read synchronously by connection streams.
 */
public interface ServedFiles {
  /** The entry for a validated plain name, if the peer holds it in one of {@code origins}. */
  Optional<FileEntry> lookup(String name, java.util.Set<Origin> origins);
}
