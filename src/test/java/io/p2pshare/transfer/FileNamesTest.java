package io.p2pshare.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.p2pshare.protocol.ErrorCode;
import io.p2pshare.protocol.ProtocolException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class FileNamesTest {

  static Stream<Arguments> hostile() {
    return Stream.of(
        Arguments.of("empty", ""),
        Arguments.of("dot", "."),
        Arguments.of("dotdot", ".."),
        Arguments.of("three dots", "..."),
        Arguments.of("parent prefix", "../etc/passwd"),
        Arguments.of("parent twice", "../../secret.txt"),
        Arguments.of("parent windows", "..\\..\\boot.ini"),
        Arguments.of("parent in middle", "a/../../b"),
        Arguments.of("absolute", "/etc/passwd"),
        Arguments.of("absolute windows", "\\Windows\\win.ini"),
        Arguments.of("unc", "\\\\server\\share"),
        Arguments.of("subdir", "dir/file.txt"),
        Arguments.of("trailing slash", "file.txt/"),
        Arguments.of("backslash", "dir\\file.txt"),
        Arguments.of("drive letter", "C:"),
        Arguments.of("drive path", "C:\\Windows"),
        Arguments.of("drive relative", "c:file.txt"),
        Arguments.of("ntfs stream", "file.txt:secret"),
        Arguments.of("nul byte", "file\u0000.txt"),
        Arguments.of("nul then traversal", "ok.txt\u0000/../../x"),
        Arguments.of("newline", "file\n.txt"),
        Arguments.of("carriage return", "file\r.txt"),
        Arguments.of("tab", "file\t.txt"),
        Arguments.of("escape", "\u001b[31mred"),
        Arguments.of("delete", "file\u007f"),
        Arguments.of("c1 control", "file\u0085x"),
        Arguments.of("bidi override", "evil\u202etxt.exe"),
        Arguments.of("line separator", "a\u2028b"),
        Arguments.of("fullwidth slash", "..\uff0f..\uff0fetc"),
        Arguments.of("fullwidth backslash", "a\uff3cb"),
        Arguments.of("division slash", "a\u2215b"),
        Arguments.of("fraction slash", "a\u2044b"),
        Arguments.of("too long ascii", "a".repeat(256)),
        Arguments.of("too long utf8", "\u00e9".repeat(128)),
        Arguments.of("con", "CON"),
        Arguments.of("nul lowercase", "nul"),
        Arguments.of("nul with ext", "NUL.txt"),
        Arguments.of("com1", "com1.tar.gz"),
        Arguments.of("lpt9", "LPT9"),
        Arguments.of("aux space", "AUX .txt"),
        Arguments.of("prn", "Prn.log"),
        Arguments.of("trailing dot", "file.txt."),
        Arguments.of("trailing space", "file.txt "),
        Arguments.of("question", "what?.txt"),
        Arguments.of("star", "*.bin"),
        Arguments.of("pipe", "a|b"),
        Arguments.of("angle", "<x>"),
        Arguments.of("quote", "a\"b"),
        Arguments.of("lone surrogate", "a\ud800b"),
        Arguments.of("lone low surrogate", "a\udc00"),
        Arguments.of("bom", "\ufefffile"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void refusesHostileNames(String label, String name) {
    ProtocolException e = assertThrows(ProtocolException.class, () -> FileNames.validate(name));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    // The message never carries raw control characters into logs or replies.
    assertEquals(-1, e.getMessage().chars().filter(c -> c < 0x20 || c == 0x7f).findAny().orElse(-1));
  }

  @Test
  void nullIsRefused() {
    assertThrows(ProtocolException.class, () -> FileNames.validate(null));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "peer1_kb_0001.txt", "peer2_gb_0001.bin", ".hidden", "..hidden", "a..b", "file with spaces.txt",
      "CONSOLE.txt", "com10", "nulx", "résumé.pdf", "日本語.txt", "emoji\ud83d\ude00.bin", "x"})
  void acceptsPlainNames(String name) {
    assertEquals(name, FileNames.validate(name));
  }

  @Test
  void exactly255BytesIsAccepted() {
    assertEquals(255, FileNames.validate("a".repeat(255)).length());
  }

  @Test
  void normalisesToNfc() {
    String decomposed = "re\u0301sume\u0301.pdf";
    assertEquals("r\u00e9sum\u00e9.pdf", FileNames.validate(decomposed));
  }

  @Test
  void resolveStaysInsideTheDirectory(@TempDir Path tmp) throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("shared"));
    Files.writeString(dir.resolve("a.txt"), "a");
    assertEquals(dir.toAbsolutePath().resolve("a.txt"), FileNames.resolve(dir, "a.txt"));
    assertEquals(dir.toAbsolutePath().resolve("missing.txt"), FileNames.resolve(dir, "missing.txt"));
    assertThrows(ProtocolException.class, () -> FileNames.resolve(dir, "../a.txt"));
  }

  @Test
  void resolveRefusesSymlinkLeavingTheDirectory(@TempDir Path tmp) throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("shared"));
    Path secret = Files.writeString(tmp.resolve("secret.txt"), "secret");
    Files.createSymbolicLink(dir.resolve("link.txt"), secret);
    Files.createSymbolicLink(dir.resolve("up"), tmp);
    Files.writeString(dir.resolve("inside.txt"), "ok");
    Files.createSymbolicLink(dir.resolve("alias.txt"), dir.resolve("inside.txt"));
    ProtocolException e = assertThrows(ProtocolException.class, () -> FileNames.resolve(dir, "link.txt"));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertThrows(ProtocolException.class, () -> FileNames.resolve(dir, "up"));
    assertEquals(dir.toAbsolutePath().resolve("alias.txt"), FileNames.resolve(dir, "alias.txt"));
  }
}
