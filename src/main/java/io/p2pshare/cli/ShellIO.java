package io.p2pshare.cli;

/**
 * Where the shell reads lines and writes answers: a JLine terminal ({@link TerminalShellIO}) or
 * plain streams when stdin is not a terminal ({@link PlainShellIO}). All writes may come from any
 * thread (background events); implementations serialise them.
 */
public interface ShellIO extends AutoCloseable {

  /** The next line, "" when the user pressed Ctrl-C at the prompt, null at end of input. */
  String readLine(String prompt);

  /** A command's answer (may span lines). */
  void println(String text);

  /** A background message, printed above the line being typed without garbling it. */
  void printAbove(String text);

  /** Whether a progress line can be drawn (a terminal, not a pipe). */
  boolean supportsProgress();

  /** Terminal width in columns (80 when unknown). */
  int width();

  /** Draws or replaces the progress line. */
  void progress(String line);

  /** Removes the progress line, if any. */
  void clearProgress();

  /** {@code handler} runs (on a signal thread) when Ctrl-C is pressed while a command runs. */
  void onInterrupt(Runnable handler);

  /** Names the completer may offer; the shell keeps it up to date. */
  default void setCompletionSource(CompletionSource source) {}

  @Override
  default void close() {}
}
