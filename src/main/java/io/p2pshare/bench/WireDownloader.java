package io.p2pshare.bench;

import io.p2pshare.config.Endpoint;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.FrameSocket;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchRequest;
import io.p2pshare.protocol.SearchResponse;
import io.p2pshare.protocol.SearchResult;
import io.p2pshare.protocol.TransferHeader;
import io.p2pshare.protocol.TransferRequest;
import io.p2pshare.transfer.PieceHasher;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;

/**
 * A plain blocking downloader on the wire protocol: exact search on the index, then one
 * OBTAIN_REQUEST to the first holder over a persistent connection per holder, body into
 * {@code .part}, SHA-256 checked, renamed. The strong-scaling driver uses it when the peer's own
 * download machinery is not on the classpath, and as a second opinion.
 */
public final class WireDownloader implements Downloader {
  private static final int TIMEOUT_MS = 60_000;

  private final Endpoint index;
  private FrameSocket indexSocket;
  private final Map<String, FrameSocket> peers = new HashMap<>();

  public WireDownloader(Endpoint index) {
    this.index = index;
  }

  @Override
  public Path download(FileSpec file, Path outDir) throws IOException {
    SearchResult holder = locate(file.name());
    String key = holder.peer().host() + ":" + holder.peer().port();
    FrameSocket peer = peers.get(key);
    if (peer == null) {
      peer = FrameSocket.connect(holder.peer().host(), holder.peer().port(), TIMEOUT_MS, "bench");
      peers.put(key, peer);
    }
    // offset/length (ext) let the server send the body right behind the header.
    long size = holder.meta() != null && holder.meta().sizeBytes() != null
        ? holder.meta().sizeBytes() : file.size();
    Envelope reply;
    try {
      reply = peer.request(MessageType.OBTAIN_REQUEST, new TransferRequest(file.name(), 0L, size));
    } catch (IOException e) {
      peers.remove(key).close();
      throw e;
    }
    TransferHeader header = reply.payloadAs(TransferHeader.class);
    if (!header.ok()) {
      throw new IOException("peer refused " + file.name() + ": " + header.error());
    }
    Path part = outDir.resolve(file.name() + ".part");
    Path done = outDir.resolve(file.name());
    MessageDigest digest = PieceHasher.sha256();
    try (OutputStream out = new DigestOutputStream(
        new BufferedOutputStream(Files.newOutputStream(part), 256 * 1024), digest)) {
      peer.readBody(header.bodyLength(), out);
    } catch (IOException e) {
      peers.remove(key).close();
      Files.deleteIfExists(part);
      throw e;
    }
    String expected = header.sha256() != null ? header.sha256()
        : holder.meta() != null ? holder.meta().sha256() : null;
    if (expected != null && !expected.equals(PieceHasher.hex(digest.digest()))) {
      Files.deleteIfExists(part);
      throw new IOException("SHA-256 mismatch for " + file.name());
    }
    Files.move(part, done, StandardCopyOption.ATOMIC_MOVE);
    return done;
  }

  private SearchResult locate(String name) throws IOException {
    if (indexSocket == null) {
      indexSocket = FrameSocket.connect(index.host(), index.port(), TIMEOUT_MS, "bench");
    }
    Envelope reply;
    try {
      reply = indexSocket.request(MessageType.SEARCH_REQUEST,
          new SearchRequest(SearchQuery.exact(name)));
    } catch (IOException e) {
      indexSocket.close();
      indexSocket = null;
      throw e;
    }
    SearchResponse r = reply.payloadAs(SearchResponse.class);
    if (r.results() == null || r.results().isEmpty()) {
      throw new IOException("no holder for " + name);
    }
    return r.results().get(0);
  }

  @Override
  public void close() throws IOException {
    if (indexSocket != null) {
      indexSocket.close();
    }
    for (FrameSocket s : peers.values()) {
      s.close();
    }
  }
}
