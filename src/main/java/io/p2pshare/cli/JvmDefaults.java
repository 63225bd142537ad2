package io.p2pshare.cli;

/**
 * Process-wide JVM settings that must be in place before any library touches them; {@link
 * Main#main} applies them first.
 */
public final class JvmDefaults {
  static final String COMMON_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  /**
   * On a machine with one or two cores the common pool's parallelism is 1, and then every
   * {@code CompletableFuture} callback without an executor runs on a brand-new thread. Akka's
   * Java API hands out Scala-backed futures that make even {@code whenComplete} asynchronous, so
   * each finished connection or upload (its {@code watchTermination}) started and tore down a
   * thread: thousands per benchmark run on the 2-core machines we measure on. Two workers keep
   * those callbacks on the common pool; an explicit {@code -D} setting wins.
   */
  public static void apply() {
    if (System.getProperty(COMMON_PARALLELISM) == null) {
      System.setProperty(COMMON_PARALLELISM,
          String.valueOf(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
    }
  }

  private JvmDefaults() {}
}
