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
    if (System.getProperty("logback.configurationFile") != null) {
      presetFileLogging(args);
    }
  }

  /**
   * With the rolling-file configuration, its directory, size and count come from config
   * {@code logging.*}: read here, before the first logger makes logback load its configuration
   * (a {@code -Dp2p.log.*} given on the command line wins).
   */
  private static void presetFileLogging(String[] args) {
    String configArg = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        configArg = args[i + 1];
      } else if (args[i].startsWith("--config=")) {
        configArg = args[i].substring("--config=".length());
      }
    }
    try {
      io.p2pshare.config.AppConfig cfg = io.p2pshare.config.ConfigLoader.fromSystem()
          .load(configArg == null ? null : java.nio.file.Path.of(configArg));
      fileProperties(cfg.logging(), System.getProperty("p2p.log.dir")).forEach((k, v) -> {
        if (System.getProperty(k) == null) {
          System.setProperty(k, v);
        }
      });
    } catch (RuntimeException badConfig) {
      // the command itself reports a bad config file, in one line
    }
  }

  /** Sets the root level from config ({@code logging.level}); unknown names keep INFO. */
  public static void applyLevel(String level) {
    if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof Logger root) {
      root.setLevel(Level.toLevel(level, Level.INFO));
    }
  }

  /**
   * The rolling file's settings from config {@code logging.*}: dir (unless {@code -Dp2p.log.dir}
   * was given: flag and environment beat the file), size and count.
   */
  static java.util.Map<String, String> fileProperties(io.p2pshare.config.AppConfig.Logging l,
      String explicitDir) {
    return java.util.Map.of(
        "p2p.log.dir", explicitDir != null ? explicitDir : l.dir(),
        "p2p.log.max.bytes", Long.toString(Math.max(1024, l.maxBytes())),
        "p2p.log.backup.count", Integer.toString(Math.max(1, Math.min(20, l.backupCount()))));
  }

  private LogSetup() {}
}
