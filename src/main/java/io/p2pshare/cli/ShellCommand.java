package io.p2pshare.cli;

import io.p2pshare.transfer.Origin;
import java.util.List;
import java.util.Locale;

/**
 * One line typed at the peer prompt, parsed. Pure: no IO.
 *
 * <p>Argument rules (also printed by {@code help}): everything after the command word is the
 * argument, so a name with spaces can be typed as is ({@code download my file.txt}); leading and
 * trailing blanks are dropped. To keep them, or for clarity, quote the name with {@code '…'} or
 * {@code "…"}. Outside single quotes a backslash takes the next character literally
 * ({@code my\ file.txt}, {@code "say \"hi\".txt"}), which is also how tab completion writes
 * names. Any Unicode is fine. Command words are case-insensitive. {@code download <name> &} runs
 * the download in the background (a name really ending in " &" must be quoted).
 */
public sealed interface ShellCommand {

  record Lookup(String name) implements ShellCommand {}

  /** {@code background}: typed as {@code download <name> &}; the prompt comes back at once. */
  record Download(String name, boolean background) implements ShellCommand {}

  record ListFiles(Origin origin) implements ShellCommand {}

  record Search(String text) implements ShellCommand {}

  record Cancel(String name) implements ShellCommand {}

  enum Simple implements ShellCommand { STATS, HELP, EXIT, STATUS, PEERS, EMPTY }

  /** Not a command: {@code hint} is the one line to show. */
  record Invalid(String hint) implements ShellCommand {}

  /** The command words, for help and completion, in help order. */
  List<String> WORDS = List.of(
      "lookup", "download", "list", "search", "stats", "status", "peers", "cancel", "help",
      "exit");

  /** {@code list} arguments, in the reference's words. */
  List<String> LIST_KINDS = List.of("local", "downloaded", "replicated");

  static ShellCommand parse(String line) {
    String trimmed = line == null ? "" : line.strip();
    if (trimmed.isEmpty() || trimmed.startsWith("#")) {
      return Simple.EMPTY;
    }
    int space = firstBlank(trimmed);
    String word = (space < 0 ? trimmed : trimmed.substring(0, space)).toLowerCase(Locale.ROOT);
    String rawArg = space < 0 ? "" : trimmed.substring(space).strip();
    boolean background = false;
    if ((word.equals("download") || word.equals("get")) && rawArg.length() > 2
        && rawArg.endsWith("&") && Character.isWhitespace(rawArg.charAt(rawArg.length() - 2))) {
      background = true;
      rawArg = rawArg.substring(0, rawArg.length() - 1).strip();
    }
    String arg;
    try {
      arg = unquote(rawArg);
    } catch (IllegalArgumentException e) {
      return new Invalid(e.getMessage());
    }
    return switch (word) {
      case "lookup" -> arg.isEmpty() ? usage("lookup <name>") : new Lookup(arg);
      case "download", "get" -> arg.isEmpty() ? usage("download <name>") : new Download(arg, background);
      case "search" -> arg.isEmpty() ? usage("search <text>") : new Search(arg);
      case "cancel" -> arg.isEmpty() ? usage("cancel <name>") : new Cancel(arg);
      case "list", "ls" -> list(arg);
      case "stats" -> noArg(word, arg, Simple.STATS);
      case "status" -> noArg(word, arg, Simple.STATUS);
      case "peers" -> noArg(word, arg, Simple.PEERS);
      case "help", "?" -> Simple.HELP;
      case "exit", "quit" -> noArg(word, arg, Simple.EXIT);
      default -> new Invalid("Unknown command '" + word + "'. Type 'help' for the commands.");
    };
  }

  private static ShellCommand list(String arg) {
    return switch (arg.toLowerCase(Locale.ROOT)) {
      case "local", "shared" -> new ListFiles(Origin.SHARED);
      case "downloaded", "downloads" -> new ListFiles(Origin.DOWNLOADED);
      case "replicated", "replicas" -> new ListFiles(Origin.REPLICATED);
      case "" -> usage("list local|downloaded|replicated");
      default -> new Invalid("Unknown list '" + arg + "'. Usage: list local|downloaded|replicated");
    };
  }

  private static ShellCommand noArg(String word, String arg, ShellCommand cmd) {
    return arg.isEmpty() ? cmd : new Invalid("'" + word + "' takes no argument. Usage: " + word);
  }

  private static Invalid usage(String usage) {
    return new Invalid("Missing argument. Usage: " + usage);
  }

  private static int firstBlank(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Applies the quoting rules to an argument (already stripped). A quote that is not the first
   * character is literal ({@code it's.txt}), so ordinary names need no care.
   */
  static String unquote(String raw) {
    if (raw.isEmpty()) {
      return raw;
    }
    char first = raw.charAt(0);
    if (first == '\'') {
      int end = raw.indexOf('\'', 1);
      if (end < 0) {
        throw new IllegalArgumentException("Unclosed ' in the argument. Close it, or drop it.");
      }
      requireOnlyBlanksAfter(raw, end);
      return raw.substring(1, end);
    }
    StringBuilder out = new StringBuilder(raw.length());
    boolean dq = first == '"';
    int i = dq ? 1 : 0;
    while (i < raw.length()) {
      char c = raw.charAt(i);
      if (c == '\\' && i + 1 < raw.length()) {
        out.append(raw.charAt(i + 1));
        i += 2;
        continue;
      }
      if (dq && c == '"') {
        requireOnlyBlanksAfter(raw, i);
        return out.toString();
      }
      out.append(c);
      i++;
    }
    if (dq) {
      throw new IllegalArgumentException("Unclosed \" in the argument. Close it, or drop it.");
    }
    return out.toString();
  }

  private static void requireOnlyBlanksAfter(String raw, int closingQuote) {
    if (!raw.substring(closingQuote + 1).isBlank()) {
      throw new IllegalArgumentException(
          "Text after the closing quote. Quote the whole name: \"my file.txt\"");
    }
  }

  /**
   * How completion writes a name back so that {@link #unquote} reads it unchanged: as is when
   * plain, in double quotes when it has outer blanks, else backslash-escaped.
   */
  static String quoteIfNeeded(String name) {
    boolean plain = !name.isEmpty()
        && name.chars().noneMatch(c -> Character.isWhitespace(c) || c == '\\')
        && name.charAt(0) != '"' && name.charAt(0) != '\'';
    if (plain) {
      return name;
    }
    if (!name.isEmpty() && (Character.isWhitespace(name.charAt(0))
        || Character.isWhitespace(name.charAt(name.length() - 1)))) {
      // The line is stripped before parsing: only quotes keep outer blanks.
      return '"' + name.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
    StringBuilder out = new StringBuilder(name.length() + 8);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isWhitespace(c) || c == '\\' || c == '"' || c == '\'') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }
}
