package io.p2pshare.bench;

import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.Frames;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.protocol.SearchRequest;
import io.p2pshare.protocol.SearchResponse;
import io.p2pshare.protocol.SearchResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** A tiny thread-per-connection search server on an ephemeral port, for the load client's tests. */
final class FakeIndex implements AutoCloseable {
  private final ServerSocket server;
  private final Set<String> known;
  final AtomicLong served = new AtomicLong();

  FakeIndex(Set<String> known) throws IOException {
    this.known = known;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "fake-index");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread t = new Thread(() -> serve(s), "fake-index-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s; BufferedReader in = new BufferedReader(
        new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
      s.setTcpNoDelay(true);
      OutputStream out = s.getOutputStream();
      String line;
      while ((line = in.readLine()) != null) {
        Envelope req = Frames.decode(line.getBytes(StandardCharsets.UTF_8));
        String name = req.payloadAs(SearchRequest.class).query().fileName();
        List<SearchResult> results = known.contains(name)
            ? List.of(new SearchResult("peer1", new PeerAddress("peer1", "127.0.0.1", 7100),
                new FileMeta(1024L, "ab"), null))
            : List.of();
        served.incrementAndGet(); // before the reply: the client may hang up right after it
        out.write(Frames.encode(req.reply("index", new SearchResponse("ok", name, results, null))));
        out.flush();
      }
    } catch (IOException e) {
      // client went away
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
