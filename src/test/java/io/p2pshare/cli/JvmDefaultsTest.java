package io.p2pshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pshare.testing.JavaProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class JvmDefaultsTest {
  /** Run in a child JVM: the setting only counts before the common pool exists. */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("apply")) {
      JvmDefaults.apply();
    }
    // A Scala future as Akka's Java API returns it: its whenComplete is asynchronous.
    CompletableFuture<String> thread = new CompletableFuture<>();
    scala.jdk.javaapi.FutureConverters.asJava(scala.concurrent.Future.successful("done"))
        .whenComplete((v, e) -> thread.complete(Thread.currentThread().getName()));
    System.out.println(ForkJoinPool.getCommonPoolParallelism() + " "
        + thread.get(10, TimeUnit.SECONDS));
  }

  @Test
  void onTwoCoresCallbacksRunOnTheCommonPoolInsteadOfANewThreadEach() throws Exception {
    String[] with = probe("apply").split(" ");
    assertEquals("2", with[0]);
    assertTrue(with[1].startsWith("ForkJoinPool.commonPool-worker"), with[1]);

    // The machine default this guards against: one thread per callback.
    String[] without = probe("none").split(" ");
    assertEquals("1", without[0]);
    assertFalse(without[1].startsWith("ForkJoinPool"), without[1]);
  }

  @Test
  void anExplicitSettingWins() throws Exception {
    assertEquals("3", probe(List.of("-D" + JvmDefaults.COMMON_PARALLELISM + "=3"), "apply")
        .split(" ")[0]);
  }

  private static String probe(String mode) throws Exception {
    return probe(List.of(), mode);
  }

  private static String probe(List<String> jvmArgs, String mode) throws Exception {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-XX:ActiveProcessorCount=2");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-cp", JavaProcess.classpath(), JvmDefaultsTest.class.getName(), mode));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    return out;
  }
}
