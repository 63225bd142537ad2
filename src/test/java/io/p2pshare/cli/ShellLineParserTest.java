package io.p2pshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Collection;
import java.util.List;
import org.jline.reader.CompletingParsedLine;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser.ParseContext;
import org.junit.jupiter.api.Test;

class ShellLineParserTest {
  private final ShellLineParser parser = new ShellLineParser();

  private CompletingParsedLine at(String line) {
    return (CompletingParsedLine) parser.parse(line, line.length(), ParseContext.COMPLETE);
  }

  @Test
  void commandWordWhileTypingIt() {
    ParsedLine l = at("  look");
    assertEquals(0, l.wordIndex());
    assertEquals("look", l.word());
    assertEquals(4, l.wordCursor());
  }

  @Test
  void theRestOfTheLineIsOneNameWithSpaces() {
    CompletingParsedLine l = at("download my fi");
    assertEquals(1, l.wordIndex());
    assertEquals("my fi", l.word());
    assertEquals(5, l.wordCursor());
    assertEquals(5, l.rawWordLength());
    assertEquals("my\\ file.txt", l.escape("my file.txt", true).toString());
  }

  @Test
  void escapedAndOpenQuotedPrefixes() {
    assertEquals("my fi", at("download my\\ fi").word());
    assertEquals(6, at("download my\\ fi").rawWordLength());
    assertEquals("my fi", at("download \"my fi").word());
    assertEquals("\"a\"b", at("download \"a\"b").word()); // unparseable: taken as typed
  }

  @Test
  void emptyArgumentAfterTheCommand() {
    ParsedLine l = at("list ");
    assertEquals(1, l.wordIndex());
    assertEquals("", l.word());
  }

  @Test
  void acceptLineNeverAsksForMore() {
    ParsedLine l = parser.parse("lookup \"open", 12, ParseContext.ACCEPT_LINE);
    assertEquals("lookup \"open", l.line());
  }

  @Test
  void completerOffersWhatEachPositionTakes() {
    CompletionSource src = new CompletionSource() {
      @Override
      public Collection<String> fileNames() {
        return List.of("a.txt", "b c.bin");
      }

      @Override
      public Collection<String> activeDownloads() {
        return List.of("big.bin");
      }
    };
    ShellCompleter c = new ShellCompleter(() -> src);
    assertEquals(ShellCommand.WORDS, c.values(at("lo")));
    assertEquals(ShellCommand.LIST_KINDS, c.values(at("list d")));
    assertEquals(List.of("a.txt", "b c.bin"), c.values(at("download ")));
    assertEquals(List.of("a.txt", "b c.bin"), c.values(at("LOOKUP b")));
    assertEquals(List.of("big.bin"), c.values(at("cancel ")));
    assertEquals(List.of(), c.values(at("stats ")));
  }
}
