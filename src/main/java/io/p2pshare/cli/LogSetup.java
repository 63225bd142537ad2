package io.p2pshare.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Names the process in every log line and applies the configured level. */
public final class LogSetup {
  /** Read by logback.xml as {@code ${p2p.node}}; set before the first logger is created. */
  public static final String NODE_PROPERTY = "p2p.node";

  static void nameProcess(String[] args) {
    String node = args.length > 0 ? args[0] : "p2pshare";
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--peer")) {
        node = args[i + 1];
      }
    }
    if (System.getProperty(NODE_PROPERTY) == null) {
      System.setProperty(NODE_PROPERTY, node);
    }
  }

  /** Sets the root level from config ({@code logging.level}); unknown names keep INFO. */
  public static void applyLevel(String level) {
    if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof Logger root) {
      root.setLevel(Level.toLevel(level, Level.INFO));
    }
  }

  private LogSetup() {}
}
