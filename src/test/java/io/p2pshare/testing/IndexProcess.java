package io.p2pshare.testing;

import io.p2pshare.protocol.FrameSocket;
import io.p2pshare.protocol.MessageType;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real index as a separate JVM on a free loopback port, restartable on the same port. */
public final class IndexProcess implements AutoCloseable {
  private final Path dir;
  private final Path config;
  private final int port;
  private final String host;
  private Process process;
  private int starts;

  public IndexProcess(Path dir, String configJson) throws IOException {
    this(dir, configJson, "127.0.0.1");
  }

  /** On {@code host} (an address of this machine), e.g. the root end of a test veth pair. */
  public IndexProcess(Path dir, String configJson, String host) throws IOException {
    this.host = host;
    this.dir = dir;
    Files.createDirectories(dir);
    this.config = Files.writeString(dir.resolve("index-config.json"), configJson);
    try (ServerSocket s = new ServerSocket(0)) {
      this.port = s.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  public String address() {
    return host + ":" + port;
  }

  public IndexProcess start() throws Exception {
    starts++;
    process = JavaProcess.start(dir.resolve("index" + starts + ".out"), dir.resolve("index" + starts + ".log"),
        List.of("-Xmx256m"), "index", "--config", config.toString(), "--host", host,
        "--port", Integer.toString(port));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try (FrameSocket s = FrameSocket.connect(host, port, 2000, "probe")) {
        s.request(MessageType.STATS_REQUEST, java.util.Map.of());
        return this;
      } catch (IOException notYet) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException("index did not start: "
              + Files.readString(dir.resolve("index" + starts + ".log")));
        }
        Thread.sleep(100);
      }
    }
  }

  /** kill -9: the index loses everything it knew. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
