package io.p2pshare.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1 GiB file through TransferServer and TransferClient with {@code -Xmx128m} on both ends,
 * each in its own JVM, every 4 MiB piece checked against the manifest. Slow (excluded by
 * default): {@code mvn test -Dsurefire.excludedGroups= -Dtest=TransferMemorySlowTest}.
 */
@Tag("slow")
class TransferMemorySlowTest {
  @Test
  void oneGibWith128MibHeapsOnBothEnds(@TempDir Path tmp) throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("shared"));
    Path src = dir.resolve("big.bin");
    byte[] block = new byte[1 << 20];
    Random rnd = new Random(7);
    try (OutputStream out = Files.newOutputStream(src)) {
      for (int i = 0; i < 1024; i++) {
        rnd.nextBytes(block);
        out.write(block);
      }
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process server = new ProcessBuilder(java, "-Xmx128m", "-cp", cp, TransferThroughput.class.getName(),
        "server", dir.toString(), "131072").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      String line = r.readLine();
      assertTrue(line != null && line.startsWith("PORT "), "server started: " + line);
      Path out = tmp.resolve("out.bin");
      Process client = new ProcessBuilder(java, "-Xmx128m", "-cp", cp, TransferThroughput.class.getName(),
          "client", line.substring(5), "big.bin", out.toString(), String.valueOf(4 << 20), "4")
          .redirectErrorStream(true).start();
      List<String> lines = new BufferedReader(new InputStreamReader(client.getInputStream(),
          StandardCharsets.UTF_8)).lines().toList();
      assertTrue(client.waitFor(10, TimeUnit.MINUTES));
      System.out.println("TransferMemorySlowTest: " + String.join(" | ", lines));
      assertEquals(0, client.exitValue(), String.join("\n", lines));
      assertEquals(Files.size(src), Files.size(out));
    } finally {
      server.destroy();
      server.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
