package io.p2pshare.cli;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * Tab completion: command words first, then per command the names it takes (files seen in list,
 * lookup and search answers; running downloads for {@code cancel}; the three list kinds).
 */
public final class ShellCompleter implements Completer {
  private final Supplier<CompletionSource> source;

  public ShellCompleter(Supplier<CompletionSource> source) {
    this.source = source;
  }

  @Override
  public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
    for (String value : values(line)) {
      candidates.add(new Candidate(value, value, null, null, null, null, true));
    }
  }

  /** The values offered at this position; JLine filters them by the typed prefix. */
  Collection<String> values(ParsedLine line) {
    if (line.wordIndex() == 0) {
      return ShellCommand.WORDS;
    }
    String cmd = line.words().get(0).toLowerCase(Locale.ROOT);
    CompletionSource s = source.get();
    return switch (cmd) {
      case "list", "ls" -> ShellCommand.LIST_KINDS;
      case "lookup", "download", "get" -> s == null ? List.of() : s.fileNames();
      case "cancel" -> s == null ? List.of() : s.activeDownloads();
      default -> List.of();
    };
  }
}
