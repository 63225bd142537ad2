package io.p2pshare.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts {@code io.p2pshare.cli.Main} as a real JVM process with the test classpath. */
public final class JavaProcess {
  public static String classpath() {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) {
      cp = System.getProperty("java.class.path");
    }
    return cp;
  }

  /** Starts the CLI with {@code args}; stdout and stderr go to the given files. */
  public static Process start(Path stdout, Path stderr, List<String> jvmArgs, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xshare:auto");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(classpath());
    cmd.add("io.p2pshare.cli.Main");
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectOutput(stdout.toFile());
    pb.redirectError(stderr.toFile());
    pb.environment().remove("P2P_INDEX");
    pb.environment().remove("P2P_CONFIG");
    pb.environment().remove("P2P_DATA_DIR");
    return pb.start();
  }

  public static String pathSep() {
    return File.pathSeparator;
  }

  private JavaProcess() {}
}
