package io.p2pshare.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;

/**
 * The shell over plain streams, for when stdin is not a terminal: one command per line, no
 * prompt, no progress line, no escape sequences, so {@code printf 'lookup x\nexit\n' | p2pshare
 * peer --peer peer1} gives output a script can read.
 */
public final class PlainShellIO implements ShellIO {
  private final BufferedReader in;
  private final PrintStream out;

  public PlainShellIO(BufferedReader in, PrintStream out) {
    this.in = in;
    this.out = out;
  }

  @Override
  public String readLine(String prompt) {
    try {
      return in.readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized void println(String text) {
    out.println(text);
    out.flush();
  }

  @Override
  public synchronized void printAbove(String text) {
    out.println(text);
    out.flush();
  }

  @Override
  public boolean supportsProgress() {
    return false;
  }

  @Override
  public int width() {
    return 80;
  }

  @Override
  public void progress(String line) {}

  @Override
  public void clearProgress() {}

  /** No terminal, no Ctrl-C of our own: SIGINT stops the process through the JVM's hooks. */
  @Override
  public void onInterrupt(Runnable handler) {}
}
