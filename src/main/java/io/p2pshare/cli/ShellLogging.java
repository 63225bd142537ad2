package io.p2pshare.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.AppenderAttachable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * While the interactive prompt runs on a terminal, log lines must not be written straight to the
 * terminal (they would cut through the line being typed). This swaps the console appenders for
 * one that prints warnings and errors above the prompt; file appenders, if configured, keep
 * everything. {@link #restore} puts the console appenders back (for the shutdown lines).
 */
public final class ShellLogging {
  private final Logger root;
  private final List<Appender<ILoggingEvent>> detached = new ArrayList<>();
  private final Appender<ILoggingEvent> above;

  private ShellLogging(Logger root, Appender<ILoggingEvent> above) {
    this.root = root;
    this.above = above;
  }

  /** Routes console logging at {@code threshold} and above to {@code sink}; null if not Logback. */
  public static ShellLogging routeAbove(Consumer<String> sink, Level threshold) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
      return null;
    }
    Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    PatternLayout layout = new PatternLayout();
    layout.setContext(ctx);
    layout.setPattern("%-5level %logger{0} - %msg");
    layout.start();
    AboveAppender appender = new AboveAppender(sink, threshold, layout);
    appender.setContext(ctx);
    appender.setName("SHELL");
    appender.start();
    ShellLogging s = new ShellLogging(root, appender);
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      Appender<ILoggingEvent> a = it.next();
      if (writesToConsole(a)) {
        s.detached.add(a);
      }
    }
    s.detached.forEach(root::detachAppender);
    root.addAppender(appender);
    return s;
  }

  /** Console logging as before. */
  public void restore() {
    root.detachAppender(above);
    above.stop();
    detached.forEach(root::addAppender);
    detached.clear();
  }

  private static boolean writesToConsole(Appender<ILoggingEvent> a) {
    if (a instanceof ConsoleAppender) {
      return true;
    }
    if (a instanceof AppenderAttachable<?> wrapper) {
      @SuppressWarnings("unchecked")
      AppenderAttachable<ILoggingEvent> w = (AppenderAttachable<ILoggingEvent>) wrapper;
      for (Iterator<Appender<ILoggingEvent>> it = w.iteratorForAppenders(); it.hasNext(); ) {
        if (writesToConsole(it.next())) {
          return true;
        }
      }
    }
    return false;
  }

  private static final class AboveAppender extends AppenderBase<ILoggingEvent> {
    private final Consumer<String> sink;
    private final Level threshold;
    private final PatternLayout layout;

    AboveAppender(Consumer<String> sink, Level threshold, PatternLayout layout) {
      this.sink = sink;
      this.threshold = threshold;
      this.layout = layout;
    }

    @Override
    protected void append(ILoggingEvent e) {
      if (e.getLevel().isGreaterOrEqual(threshold)) {
        sink.accept(layout.doLayout(e));
      }
    }
  }
}
