package io.p2pshare.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.status.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config/logback.xml, loaded in a private context: a node's file rotates at 1 MiB, 5 kept. */
class LogbackFileConfigTest {
  @TempDir Path logs;

  @Test
  void rollsAtOneMebibyteAndKeepsFiveOldFiles() throws Exception {
    LoggerContext ctx = new LoggerContext();
    ctx.setMDCAdapter(new LogbackMDCAdapter()); // a private context has none by default
    ctx.putProperty("p2p.log.dir", logs.toString());
    ctx.putProperty("p2p.node", "peer7");
    JoranConfigurator jc = new JoranConfigurator();
    jc.setContext(ctx);
    jc.doConfigure(Path.of("config/logback.xml").toFile());
    List<Status> errors = ctx.getStatusManager().getCopyOfStatusList().stream()
        .filter(s -> s.getLevel() >= Status.WARN).toList();
    assertTrue(errors.isEmpty(), errors.toString());

    Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    assertTrue(root.getAppender("ASYNC_STDERR") != null, "console appender missing");
    root.detachAppender("ASYNC_STDERR"); // keep 8 MiB of filler out of the test output
    Logger log = ctx.getLogger("io.p2pshare.test");
    assertTrue(log.isInfoEnabled());
    assertFalse(ctx.getLogger("akka.actor").isInfoEnabled(), "akka's own chatter stays at WARN");
    String line = "x".repeat(8 * 1024);
    // 8 MiB through a 1 MiB × 5 window: the oldest files must be dropped, not kept. 1024 events
    // stay under the async queue's discard threshold (80 % of 8192), so none is dropped.
    for (int i = 0; i < 1024; i++) {
      log.info("{} {}", i, line);
    }
    ctx.stop(); // flushes the async queues

    List<String> names;
    try (Stream<Path> s = Files.list(logs)) {
      names = s.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertEquals(List.of("peer7.log", "peer7.log.1", "peer7.log.2", "peer7.log.3", "peer7.log.4",
        "peer7.log.5"), names);
    for (String n : names) {
      // Checked before each event is written: a file passes 1 MiB by at most one event.
      assertTrue(Files.size(logs.resolve(n)) <= 1024 * 1024 + 9 * 1024, n + " too big");
    }
    assertTrue(Files.readString(logs.resolve("peer7.log.1")).contains("[peer7]"));
  }

  @Test
  void theConfigsSizeAndCountReachTheRollingFile() throws Exception {
    LoggerContext ctx = new LoggerContext();
    ctx.setMDCAdapter(new LogbackMDCAdapter());
    io.p2pshare.cli.LogSetupAccess.fileProperties(
        new io.p2pshare.config.AppConfig.Logging("INFO", logs.toString(), 64L * 1024, 2), null)
        .forEach(ctx::putProperty);
    ctx.putProperty("p2p.node", "peer8");
    JoranConfigurator jc = new JoranConfigurator();
    jc.setContext(ctx);
    jc.doConfigure(Path.of("config/logback.xml").toFile());
    Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    root.detachAppender("ASYNC_STDERR");
    String line = "y".repeat(4 * 1024);
    for (int i = 0; i < 200; i++) { // 800 KiB through a 64 KiB x 2 window
      ctx.getLogger("io.p2pshare.test").info("{} {}", i, line);
    }
    ctx.stop();
    List<String> names;
    try (Stream<Path> s = Files.list(logs)) {
      names = s.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertEquals(List.of("peer8.log", "peer8.log.1", "peer8.log.2"), names);
    for (String n : names) {
      assertTrue(Files.size(logs.resolve(n)) <= 64 * 1024 + 5 * 1024, n + " too big");
    }
  }

  @Test
  void anExplicitDirectoryBeatsTheConfigs() {
    var l = new io.p2pshare.config.AppConfig.Logging("INFO", "from-config", 1L << 20, 5);
    assertEquals("from-flag", io.p2pshare.cli.LogSetupAccess.fileProperties(l, "from-flag").get("p2p.log.dir"));
    assertEquals("from-config", io.p2pshare.cli.LogSetupAccess.fileProperties(l, null).get("p2p.log.dir"));
  }
}
