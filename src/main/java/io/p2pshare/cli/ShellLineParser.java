package io.p2pshare.cli;

import java.util.List;
import org.jline.reader.CompletingParsedLine;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;

/**
 * Splits a line for JLine the way {@link ShellCommand#parse} reads it: the command word, then the
 * rest of the line as one argument (so "my file.txt" completes as one name). Never asks for a
 * continuation line: an unclosed quote is reported by the shell instead.
 */
public final class ShellLineParser implements Parser {

  @Override
  public ParsedLine parse(String line, int cursor, ParseContext context) {
    int n = line.length();
    int cur = Math.max(0, Math.min(cursor, n));
    int start = 0;
    while (start < n && Character.isWhitespace(line.charAt(start))) {
      start++;
    }
    int end = start;
    while (end < n && !Character.isWhitespace(line.charAt(end))) {
      end++;
    }
    String cmd = line.substring(start, end);
    if (cur <= end) {
      int wc = Math.max(0, cur - start);
      return new Line(line, cur, List.of(cmd), 0, cmd, wc, wc, wc);
    }
    int argStart = end;
    while (argStart < cur && Character.isWhitespace(line.charAt(argStart))) {
      argStart++;
    }
    String raw = line.substring(argStart, cur);
    String word = lenientUnquote(raw);
    return new Line(line, cur, List.of(cmd, word), 1, word, word.length(), raw.length(), raw.length());
  }

  /** The name typed so far; an open quote is fine while completing. */
  static String lenientUnquote(String raw) {
    try {
      return ShellCommand.unquote(raw);
    } catch (IllegalArgumentException unclosed) {
      try {
        return ShellCommand.unquote(raw + raw.charAt(0));
      } catch (IllegalArgumentException other) {
        return raw;
      }
    }
  }

  private record Line(
      String line, int cursor, List<String> words, int wordIndex, String word, int wordCursor,
      int rawWordCursor, int rawWordLength) implements CompletingParsedLine {

    @Override
    public CharSequence escape(CharSequence candidate, boolean complete) {
      return ShellCommand.quoteIfNeeded(candidate.toString());
    }
  }
}
