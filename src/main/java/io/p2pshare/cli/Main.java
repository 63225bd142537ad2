package io.p2pshare.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one entry point: {@code p2pshare <role> [options]}. */
@Command(
    name = "p2pshare",
    mixinStandardHelpOptions = true,
    version = "p2pshare 0.1.0 (Akka 2.8.5)",
    description = "Peer-to-peer file sharing: an index server and peers that share, replicate and verify files.",
    subcommands = {
      IndexCommand.class,
      PeerCommand.class,
      SearchCommand.class,
      GetCommand.class,
      StatsCommand.class,
      GenerateCommand.class,
      BenchCommand.class,
      PlotCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "choose a command");
  }

  public static void main(String[] args) {
    JvmDefaults.apply();
    LogSetup.nameProcess(args);
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, shared by {@link #main} and tests. */
  public static CommandLine commandLine() {
    return new CommandLine(new Main())
        .setExecutionExceptionHandler(new OneLineErrors())
        .setCaseInsensitiveEnumValuesAllowed(true);
  }
}
