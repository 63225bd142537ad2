package io.p2pshare.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A real headless peer JVM on an ephemeral port; {@link #port()} is read from its first line. */
public final class PeerProcess implements AutoCloseable {
  private static final Pattern SERVING = Pattern.compile("serving on [^:]+:(\\d+)");
  private final String id;
  private final Path out;
  private final Path log;
  private final Process process;
  private int port;

  public PeerProcess(String id, Path dataDir, String index, Path logDir, List<String> jvmArgs,
      String... extra) throws Exception {
    this.id = id;
    Files.createDirectories(logDir);
    this.out = logDir.resolve(id + ".out");
    this.log = logDir.resolve(id + ".log");
    String[] base = {"peer", "--peer", id, "--headless", "--port", "0", "--data-dir",
        dataDir.toString(), "--index", index, "--rescan-ms", "500"};
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    this.process = JavaProcess.start(out, log, jvmArgs, args);
  }

  /** Waits for the "serving on" line. */
  public PeerProcess awaitStarted() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String s = Files.exists(out) ? Files.readString(out) : "";
      Matcher m = SERVING.matcher(s);
      if (m.find()) {
        port = Integer.parseInt(m.group(1));
        return this;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(id + " exited: " + Files.readString(log));
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(id + " did not start: " + Files.readString(log));
  }

  public int port() {
    return port;
  }

  public String id() {
    return id;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy(); // SIGTERM: coordinated shutdown, unregister
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
