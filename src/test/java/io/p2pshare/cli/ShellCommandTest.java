package io.p2pshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pshare.cli.ShellCommand.Simple;
import io.p2pshare.transfer.Origin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShellCommandTest {

  @Test
  void referenceCommands() {
    assertEquals(new ShellCommand.Lookup("peer2_kb_0050.txt"), ShellCommand.parse("lookup peer2_kb_0050.txt"));
    assertEquals(new ShellCommand.Download("peer2_kb_0050.txt", false), ShellCommand.parse("download peer2_kb_0050.txt"));
    assertEquals(new ShellCommand.ListFiles(Origin.DOWNLOADED), ShellCommand.parse("list downloaded"));
    assertEquals(new ShellCommand.ListFiles(Origin.SHARED), ShellCommand.parse("list local"));
    assertEquals(new ShellCommand.ListFiles(Origin.REPLICATED), ShellCommand.parse("list replicated"));
    assertEquals(Simple.STATS, ShellCommand.parse("stats"));
    assertEquals(Simple.HELP, ShellCommand.parse("help"));
    assertEquals(Simple.EXIT, ShellCommand.parse("exit"));
  }

  @Test
  void addedCommands() {
    assertEquals(new ShellCommand.Search("kb_00"), ShellCommand.parse("search kb_00"));
    assertEquals(new ShellCommand.Cancel("big.bin"), ShellCommand.parse("cancel big.bin"));
    assertEquals(Simple.STATUS, ShellCommand.parse("status"));
    assertEquals(Simple.PEERS, ShellCommand.parse("peers"));
    assertEquals(Simple.EXIT, ShellCommand.parse("quit"));
  }

  @Test
  void commandWordsAreCaseInsensitiveAndBlanksAreIgnored() {
    assertEquals(new ShellCommand.Lookup("A.txt"), ShellCommand.parse("  LOOKUP \t A.txt  "));
    assertEquals(Simple.EMPTY, ShellCommand.parse("   "));
    assertEquals(Simple.EMPTY, ShellCommand.parse(""));
    assertEquals(Simple.EMPTY, ShellCommand.parse(null));
    assertEquals(Simple.EMPTY, ShellCommand.parse("# a comment in a script"));
  }

  @Test
  void unknownCommandGivesOneLineHint() {
    ShellCommand c = ShellCommand.parse("fetch x");
    ShellCommand.Invalid inv = assertInstanceOf(ShellCommand.Invalid.class, c);
    assertEquals("Unknown command 'fetch'. Type 'help' for the commands.", inv.hint());
    assertTrue(!inv.hint().contains("\n"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"lookup", "download", "search", "cancel", "list", "lookup   ", "download \"\""})
  void missingArgumentGivesUsage(String line) {
    ShellCommand.Invalid inv = assertInstanceOf(ShellCommand.Invalid.class, ShellCommand.parse(line));
    assertTrue(inv.hint().startsWith("Missing argument. Usage: "), inv.hint());
    assertTrue(!inv.hint().contains("\n"));
  }

  @Test
  void badListKindAndExtraArguments() {
    assertEquals(new ShellCommand.Invalid("Unknown list 'all'. Usage: list local|downloaded|replicated"),
        ShellCommand.parse("list all"));
    assertEquals(new ShellCommand.Invalid("'stats' takes no argument. Usage: stats"), ShellCommand.parse("stats now"));
    assertEquals(new ShellCommand.Invalid("'exit' takes no argument. Usage: exit"), ShellCommand.parse("exit 3"));
  }

  @Test
  void namesWithSpacesAsTyped() {
    assertEquals(new ShellCommand.Download("my holiday photo.jpg", false),
        ShellCommand.parse("download my holiday photo.jpg"));
    assertEquals(new ShellCommand.Lookup("a  b"), ShellCommand.parse("lookup a  b"));
  }

  @Test
  void quotedNames() {
    assertEquals(new ShellCommand.Lookup("  padded  "), ShellCommand.parse("lookup \"  padded  \""));
    assertEquals(new ShellCommand.Lookup("it's.txt"), ShellCommand.parse("lookup it's.txt"));
    assertEquals(new ShellCommand.Lookup("a \\ b"), ShellCommand.parse("lookup 'a \\ b'"));
    assertEquals(new ShellCommand.Lookup("say \"hi\".txt"), ShellCommand.parse("lookup \"say \\\"hi\\\".txt\""));
    assertEquals(new ShellCommand.Lookup("my file.txt"), ShellCommand.parse("lookup my\\ file.txt"));
  }

  @Test
  void badQuotesAreHintsNotCrashes() {
    ShellCommand.Invalid a = assertInstanceOf(ShellCommand.Invalid.class, ShellCommand.parse("lookup \"open"));
    assertTrue(a.hint().startsWith("Unclosed \""), a.hint());
    ShellCommand.Invalid b = assertInstanceOf(ShellCommand.Invalid.class, ShellCommand.parse("lookup 'open"));
    assertTrue(b.hint().startsWith("Unclosed '"), b.hint());
    ShellCommand.Invalid c = assertInstanceOf(ShellCommand.Invalid.class, ShellCommand.parse("lookup \"a\" b"));
    assertTrue(c.hint().startsWith("Text after the closing quote"), c.hint());
  }

  @Test
  void unicodeNames() {
    assertEquals(new ShellCommand.Download("Résumé – 日本語 📄.txt", false),
        ShellCommand.parse("download Résumé – 日本語 📄.txt"));
    assertEquals(new ShellCommand.Lookup("файл"), ShellCommand.parse("lookup \"файл\""));
  }

  @Test
  void backgroundDownload() {
    assertEquals(new ShellCommand.Download("big.bin", true), ShellCommand.parse("download big.bin &"));
    assertEquals(new ShellCommand.Download("a b", true), ShellCommand.parse("download a b  &"));
    assertEquals(new ShellCommand.Download("R&D.txt", false), ShellCommand.parse("download R&D.txt"));
    assertEquals(new ShellCommand.Download("x &", false), ShellCommand.parse("download \"x &\""));
    assertEquals(new ShellCommand.Lookup("x &"), ShellCommand.parse("lookup x &"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain.txt", "my file.txt", " lead", "trail ", "\"quoted\"", "'single'",
      "back\\slash", "it's", "日本 語", "tab\tname"})
  void quoteIfNeededRoundTrips(String name) {
    assertEquals(new ShellCommand.Lookup(name), ShellCommand.parse("lookup " + ShellCommand.quoteIfNeeded(name)));
  }

  @Test
  void plainNamesAreNotEscaped() {
    assertEquals("peer1_kb_0001.txt", ShellCommand.quoteIfNeeded("peer1_kb_0001.txt"));
    assertEquals("my\\ file.txt", ShellCommand.quoteIfNeeded("my file.txt"));
  }
}
