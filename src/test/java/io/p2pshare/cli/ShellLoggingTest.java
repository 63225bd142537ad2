package io.p2pshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ShellLoggingTest {
  @Test
  void warningsGoAboveThePromptAndTheConsoleAppenderComesBack() {
    Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
    assertNotNull(root.getAppender("STDERR"), "test logback config has a console appender");
    List<String> above = new CopyOnWriteArrayList<>();
    ShellLogging s = ShellLogging.routeAbove(above::add, Level.WARN);
    assertNotNull(s);
    try {
      assertNull(root.getAppender("STDERR"), "console appender detached while the prompt runs");
      org.slf4j.Logger log = LoggerFactory.getLogger("IndexClient");
      log.warn("index 127.0.0.1:7000 unreachable");
      log.error("boom");
      assertEquals(List.of("WARN  IndexClient - index 127.0.0.1:7000 unreachable",
          "ERROR IndexClient - boom"), above);
    } finally {
      s.restore();
    }
    assertNotNull(root.getAppender("STDERR"));
    assertNull(root.getAppender("SHELL"));
    LoggerFactory.getLogger("x").warn("after restore");
    assertTrue(above.size() == 2);
  }
}
