package io.p2pshare.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.utils.InfoCmp.Capability;

/**
 * The shell on a JLine terminal: line editing, history in a file, tab completion, a progress line
 * while a download runs, and background messages printed above the prompt. Ctrl-C at the prompt
 * clears the line; while a command runs it goes to {@link #onInterrupt}'s handler (JLine takes
 * the SIGINT, so the JVM does not start shutting the peer down).
 */
public final class TerminalShellIO implements ShellIO {
  private final Terminal terminal;
  private final LineReader reader;
  private final PrintWriter out;
  private final Object lock = new Object();
  private volatile CompletionSource source;
  private String progressLine;

  public TerminalShellIO(Terminal terminal, Path historyFile) {
    this.terminal = terminal;
    LineReaderBuilder b = LineReaderBuilder.builder()
        .terminal(terminal)
        .appName("p2pshare")
        .parser(new ShellLineParser())
        .completer(new ShellCompleter(() -> source))
        // '!' and '^' are ordinary characters in file names, not history events.
        .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
        .option(LineReader.Option.HISTORY_IGNORE_SPACE, true)
        .option(LineReader.Option.AUTO_FRESH_LINE, true)
        .variable(LineReader.HISTORY_SIZE, 1000)
        .variable(LineReader.HISTORY_FILE_SIZE, 2000);
    if (historyFile != null) {
      b.variable(LineReader.HISTORY_FILE, historyFile);
    }
    this.reader = b.build();
    this.out = terminal.writer();
  }

  @Override
  public String readLine(String prompt) {
    try {
      return reader.readLine(prompt);
    } catch (UserInterruptException e) {
      return "";
    } catch (EndOfFileException e) {
      return null;
    }
  }

  @Override
  public void println(String text) {
    synchronized (lock) {
      eraseProgress();
      out.println(text);
      out.flush();
    }
  }

  @Override
  public void printAbove(String text) {
    if (reader.isReading()) {
      reader.printAbove(text);
      return;
    }
    synchronized (lock) {
      String bar = progressLine;
      eraseProgress();
      out.println(text);
      if (bar != null) {
        drawProgress(bar);
      }
      out.flush();
    }
  }

  @Override
  public boolean supportsProgress() {
    return !Terminal.TYPE_DUMB.equals(terminal.getType())
        && !Terminal.TYPE_DUMB_COLOR.equals(terminal.getType());
  }

  @Override
  public int width() {
    int w = terminal.getWidth();
    return w > 0 ? w : 80;
  }

  @Override
  public void progress(String line) {
    synchronized (lock) {
      drawProgress(line);
      out.flush();
    }
  }

  @Override
  public void clearProgress() {
    synchronized (lock) {
      eraseProgress();
      out.flush();
    }
  }

  @Override
  public void onInterrupt(Runnable handler) {
    terminal.handle(Terminal.Signal.INT, sig -> handler.run());
  }

  @Override
  public void setCompletionSource(CompletionSource s) {
    this.source = s;
  }

  @Override
  public void close() {
    try {
      reader.getHistory().save();
    } catch (IOException ignored) {
      // history is a convenience; losing it is not worth an error at exit
    }
    try {
      terminal.close();
    } catch (IOException ignored) {
      // closing at exit
    }
  }

  private void drawProgress(String line) {
    terminal.puts(Capability.carriage_return);
    out.print(line);
    out.flush();
    terminal.puts(Capability.clr_eol);
    progressLine = line;
  }

  private void eraseProgress() {
    if (progressLine != null) {
      out.flush();
      terminal.puts(Capability.carriage_return);
      terminal.puts(Capability.clr_eol);
      progressLine = null;
    }
  }
}
