package io.p2pshare.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** The commit a run measured: {@code git rev-parse HEAD}, or "unknown" outside a checkout. */
public final class GitInfo {
  private static volatile String cached;

  public static String commit() {
    String c = cached;
    if (c == null) {
      c = readCommit();
      cached = c;
    }
    return c;
  }

  private static String readCommit() {
    try {
      Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
      p.getOutputStream().close();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "unknown";
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.exitValue() == 0 && out.matches("[0-9a-f]{40}") ? out : "unknown";
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private GitInfo() {}
}
