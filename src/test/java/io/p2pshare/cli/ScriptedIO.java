package io.p2pshare.cli;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A terminal stand-in: lines to read, and a log of everything written, tagged by kind. */
final class ScriptedIO implements ShellIO {
  final Deque<String> input = new ArrayDeque<>();
  final List<String> out = new CopyOnWriteArrayList<>();
  final List<String> above = new CopyOnWriteArrayList<>();
  final List<String> progress = new CopyOnWriteArrayList<>();
  final boolean terminal;
  Runnable interrupt = () -> {};
  CompletionSource source;
  Runnable onProgress = () -> {};

  ScriptedIO(boolean terminal, String... lines) {
    this.terminal = terminal;
    input.addAll(List.of(lines));
  }

  @Override
  public String readLine(String prompt) {
    return input.poll();
  }

  @Override
  public void println(String text) {
    out.add(text);
  }

  @Override
  public void printAbove(String text) {
    above.add(text);
  }

  @Override
  public boolean supportsProgress() {
    return terminal;
  }

  @Override
  public int width() {
    return 100;
  }

  @Override
  public void progress(String line) {
    progress.add(line);
    onProgress.run();
  }

  @Override
  public void clearProgress() {}

  @Override
  public void onInterrupt(Runnable handler) {
    this.interrupt = handler;
  }

  @Override
  public void setCompletionSource(CompletionSource s) {
    this.source = s;
  }

  String transcript() {
    return String.join("\n", out);
  }
}
