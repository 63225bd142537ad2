package io.p2pshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.p2pshare.bench.ResultWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
  @TempDir Path dir;

  @Test
  void benchWithoutAJobOrWithBadLevelsIsAUsageError() {
    assertEquals(2, Main.commandLine().execute("bench"));
    assertEquals(2, Main.commandLine().execute("bench", "weak", "--levels", "0"));
    assertEquals(2, Main.commandLine().execute("bench", "strong", "--kb", "0", "--mb", "0",
        "--index", "127.0.0.1:1"));
  }

  @Test
  void weakAgainstAnUnreachableIndexIsOneClearError() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    assertEquals(1, Main.commandLine().execute("bench", "weak", "--config", config().toString(),
        "--index", "127.0.0.1:" + port, "--out", dir.resolve("w.json").toString()));
    assertTrue(Files.notExists(dir.resolve("w.json")));
  }

  @Test
  void weakWritesItsResultFileAgainstAnIndex() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> answerSearches(server, false), "canned-index");
      t.setDaemon(true);
      t.start();
      Path out = dir.resolve("results/weak.json");
      int code = Main.commandLine().execute("bench", "weak", "--config", config().toString(),
          "--index", "127.0.0.1:" + server.getLocalPort(), "--levels", "1", "2",
          "--requests-per-client", "25", "--warmup", "10", "--out", out.toString());
      assertEquals(0, code);
      JsonNode root = ResultWriter.read(out);
      assertEquals("weak_scaling", root.get("benchmark").asText());
      assertEquals(2, root.get("levels").size());
      assertEquals(50, root.at("/levels/1/requests").asLong());
      assertEquals(0, root.at("/levels/1/errors").asLong());
      assertEquals(4, root.at("/parameters/names").asInt(), "3 kb + 1 mb names of peer1");
    }
  }

  @Test
  void sizeClassesTheIndexDoesNotKnowAreLeftOutNotCountedAsErrors() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> answerSearches(server, true), "kb-only-index");
      t.setDaemon(true);
      t.start();
      Path out = dir.resolve("kb.json");
      assertEquals(0, Main.commandLine().execute("bench", "weak", "--config", config().toString(),
          "--index", "127.0.0.1:" + server.getLocalPort(), "--levels", "2",
          "--requests-per-client", "20", "--warmup", "0", "--out", out.toString()));
      JsonNode root = ResultWriter.read(out);
      assertEquals(3, root.at("/parameters/names").asInt(), "the mb name is left out");
      assertEquals(0, root.at("/levels/0/errors").asLong());
    }
  }

  private Path config() throws IOException {
    Path cfg = dir.resolve("config.json");
    Files.writeString(cfg, """
        {"data": {"file_generation": {"kb": {"count": 3, "size_bytes": 1024},
                                      "mb": {"count": 1, "size_bytes": 1048576},
                                      "gb": {"count": 0}}}}
        """);
    return cfg;
  }

  /**
   * Every request line gets the same holder (enough for the load client, which scans the reply);
   * with {@code kbOnly}, requests for anything but a kb file get no results.
   */
  private static void answerSearches(ServerSocket server, boolean kbOnly) {
    byte[] reply = ("{\"type\":\"SEARCH_RESPONSE\",\"payload\":{\"status\":\"ok\",\"results\":"
        + "[{\"peer_id\":\"peer1\",\"peer\":{\"peer_id\":\"peer1\",\"host\":\"127.0.0.1\",\"port\":1},"
        + "\"meta\":{\"size_bytes\":1024}}]}}\n").getBytes(StandardCharsets.UTF_8);
    byte[] empty = "{\"type\":\"SEARCH_RESPONSE\",\"payload\":{\"status\":\"ok\",\"results\":[]}}\n"
        .getBytes(StandardCharsets.UTF_8);
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread t = new Thread(() -> {
          try (s) {
            var in = new java.io.BufferedReader(
                new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            String line;
            while ((line = in.readLine()) != null) {
              out.write(!kbOnly || line.contains("_kb_") ? reply : empty);
              out.flush();
            }
          } catch (IOException e) {
            // client gone
          }
        });
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }
}
