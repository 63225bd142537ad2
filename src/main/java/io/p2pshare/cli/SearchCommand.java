package io.p2pshare.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until its issue lands. */
@Command(name = "search", description = "(not yet available)")
public final class SearchCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("error: 'search' is not yet available");
    return 2;
  }
}
