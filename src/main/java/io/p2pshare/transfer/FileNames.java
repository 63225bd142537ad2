package io.p2pshare.transfer;

import io.p2pshare.protocol.ProtocolException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Set;

/**
 * The one check for plain file names coming from the network (transfer requests, manifests,
 * replication tasks, {@code get} arguments): a name that passes can be joined to a directory and
 * stays a single entry in it, on Linux, macOS and Windows alike.
 *
 * <p>Refused, each with {@code BAD_REQUEST}: empty, longer than 255 bytes of UTF-8, separators
 * ({@code /}, {@code \} and look-alikes that Windows "best fit" maps onto them), {@code :}
 * (drive letters, NTFS streams), the other characters Windows forbids ({@code <>"|?*}), NUL and
 * every other control character, bidi overrides and line separators (they make log lines lie),
 * unpaired surrogates, {@code .} and {@code ..}, a trailing dot or space (Windows strips them, so
 * two names would alias one file), and the Windows device names ({@code CON}, {@code NUL.txt},
 * {@code com1}, …). Names are normalised to NFC first, so {@code é} typed two ways is one name.
 */
public final class FileNames {
  public static final int MAX_BYTES = 255;

  private static final Set<String> DEVICES = Set.of(
      "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
      "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
      "COM\u00b9", "COM\u00b2", "COM\u00b3",
      "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
      "LPT\u00b9", "LPT\u00b2", "LPT\u00b3");

  /** Returns the NFC form of {@code name} if it is a safe plain name; else BAD_REQUEST. */
  public static String validate(String name) {
    if (name == null || name.isEmpty()) {
      throw bad("file name is empty", "");
    }
    String n = Normalizer.normalize(name, Normalizer.Form.NFC);
    for (int i = 0; i < n.length(); i++) {
      char c = n.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < n.length() && Character.isLowSurrogate(n.charAt(i + 1))) {
          i++;
          continue;
        }
        throw bad("file name is not valid Unicode", name);
      }
      if (Character.isLowSurrogate(c)) {
        throw bad("file name is not valid Unicode", name);
      }
      if (Character.isISOControl(c)) {
        throw bad("file name contains a control character", name);
      }
      switch (c) {
        case '/', '\\', '\u2215', '\u2216', '\u2044', '\u29f5', '\u29f8', '\u29f9', '\uff0f', '\uff3c' ->
            throw bad("file name must not contain a path separator", name);
        case ':' -> throw bad("file name must not contain ':'", name);
        case '<', '>', '"', '|', '?', '*' -> throw bad("file name contains a character Windows forbids", name);
        case '\u2028', '\u2029', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e',
            '\u2066', '\u2067', '\u2068', '\u2069', '\ufeff' ->
            throw bad("file name contains a line separator or bidi control", name);
        default -> { }
      }
    }
    if (n.equals(".") || n.equals("..")) {
      throw bad("file name must not be '.' or '..'", name);
    }
    char last = n.charAt(n.length() - 1);
    if (last == '.' || last == ' ') {
      throw bad("file name must not end with a dot or a space", name);
    }
    if (n.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      throw bad("file name longer than " + MAX_BYTES + " bytes", name);
    }
    int dot = n.indexOf('.');
    String stem = (dot < 0 ? n : n.substring(0, dot)).stripTrailing().toUpperCase(Locale.ROOT);
    if (DEVICES.contains(stem)) {
      throw bad("file name is a reserved device name", name);
    }
    return n;
  }

  /** True when {@link #validate} accepts {@code name}. */
  public static boolean isValid(String name) {
    try {
      validate(name);
      return true;
    } catch (ProtocolException e) {
      return false;
    }
  }

  /**
   * The path of {@code name} inside {@code dir}, refusing (BAD_REQUEST) anything that resolves
   * outside {@code dir} once symlinks are followed. A missing file is returned as is (the caller
   * answers NOT_FOUND); only an existing one is followed. Blocking (touches the file system).
   */
  public static Path resolve(Path dir, String name) {
    String n = validate(name);
    Path base = dir.toAbsolutePath().normalize();
    Path p;
    try {
      p = base.resolve(n).normalize();
    } catch (InvalidPathException e) {
      throw bad("file name is not a valid path here", name);
    }
    if (!base.equals(p.getParent())) {
      throw bad("file name leaves its directory", name);
    }
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return p;
    }
    try {
      Path real = p.toRealPath();
      Path realBase = base.toRealPath();
      if (!real.startsWith(realBase) || real.equals(realBase)) {
        throw bad("file name resolves outside its directory", name);
      }
      return p;
    } catch (NoSuchFileException e) {
      return p; // a dangling link: nothing to serve, NOT_FOUND upstream
    } catch (IOException e) {
      throw bad("file name cannot be resolved", name);
    }
  }

  /** {@code name} made safe for a log line or an error message: escaped, at most 80 chars. */
  public static String printable(String name) {
    if (name == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder();
    name.codePoints().limit(80).forEach(cp -> {
      if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == '"' || cp == '\\'
          || (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)
          || Character.getType(cp) == Character.SURROGATE) {
        sb.append(String.format("\\u%04x", cp));
      } else {
        sb.appendCodePoint(cp);
      }
    });
    if (name.codePointCount(0, name.length()) > 80) {
      sb.append("…");
    }
    return sb.toString();
  }

  private static ProtocolException bad(String why, String name) {
    return ProtocolException.badRequest(why + ": \"" + printable(name) + "\"");
  }

  private FileNames() {}
}
