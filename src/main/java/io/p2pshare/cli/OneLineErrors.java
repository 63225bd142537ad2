package io.p2pshare.cli;

import io.p2pshare.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** Every failure is one clear line on stderr and exit code 1; never a stack trace. */
final class OneLineErrors implements IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
    String msg = ex.getMessage();
    if (msg == null || msg.isBlank()) {
      msg = ex.getClass().getSimpleName();
    }
    cmd.getErr().println("error: " + msg);
    cmd.getErr().flush();
    return ex instanceof UsageException ? CommandLine.ExitCode.USAGE : CommandLine.ExitCode.SOFTWARE;
  }

  static boolean isExpected(Exception ex) {
    return ex instanceof ConfigException || ex instanceof UsageException;
  }
}
