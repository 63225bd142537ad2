package io.p2pshare.cli;

import java.util.Collection;

/** The names tab completion offers, kept by the shell from what it has shown. */
public interface CompletionSource {
  /** File names seen in list, lookup and search answers (most recent last). */
  Collection<String> fileNames();

  /** Names of the downloads running now (for {@code cancel}). */
  Collection<String> activeDownloads();
}
