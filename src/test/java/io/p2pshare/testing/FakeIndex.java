package io.p2pshare.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.p2pshare.protocol.Ack;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.ErrorCode;
import io.p2pshare.protocol.ErrorReply;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.Frames;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.protocol.RegistryRequest;
import io.p2pshare.protocol.RegistryResponse;
import io.p2pshare.protocol.ReplicationReport;
import io.p2pshare.protocol.ReplicationTask;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchRequest;
import io.p2pshare.protocol.SearchResponse;
import io.p2pshare.protocol.SearchResult;
import io.p2pshare.protocol.Status;
import io.p2pshare.protocol.TasksResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal index speaking the wire protocol, for peer-side tests: sessions with tokens,
 * full/add/remove registration, exact and contains search, heartbeats, reports, task pushes.
 * Thread per connection. {@link #stop()} forgets everything, as a crashed index would.
 */
public final class FakeIndex implements AutoCloseable {
  public final Map<String, PeerAddress> peers = new ConcurrentHashMap<>();
  public final Map<String, Map<String, FileMeta>> files = new ConcurrentHashMap<>();
  public final Map<String, String> tokens = new ConcurrentHashMap<>();
  public final List<ReplicationReport> reports = new CopyOnWriteArrayList<>();
  public final List<String> unregistered = new CopyOnWriteArrayList<>();
  public final AtomicInteger heartbeats = new AtomicInteger();
  public final AtomicInteger registrations = new AtomicInteger();
  /** While set, requests are read but never answered (a hung index). */
  public volatile boolean mute;
  /** Tasks handed out in the next heartbeat response of that peer. */
  public final Map<String, List<ReplicationTask>> tasksOnHeartbeat = new ConcurrentHashMap<>();
  private final Map<String, OutputStream> outByPeer = new ConcurrentHashMap<>();
  private volatile FrameServer server;
  private int port;

  public static FakeIndex start() throws IOException {
    FakeIndex f = new FakeIndex();
    f.listen(0);
    return f;
  }

  public int port() {
    return port;
  }

  public void listen(int wanted) throws IOException {
    server = FrameServer.start("fake-index", wanted, this::answer);
    port = server.port();
  }

  /** Closes every connection and forgets all state. */
  public void stop() throws IOException {
    server.close();
    peers.clear();
    files.clear();
    tokens.clear();
    outByPeer.clear();
  }

  /** Restart on the same port with empty state. */
  public void restart() throws IOException {
    stop();
    listen(port);
  }

  /** Pushes a REPLICATION_TASKS frame to a peer's control connection. */
  public void push(String peerId, List<ReplicationTask> tasks) throws IOException {
    OutputStream out = outByPeer.get(peerId);
    if (out == null) {
      throw new IOException("no connection for " + peerId);
    }
    synchronized (out) {
      out.write(Frames.encode(Envelope.of(MessageType.REPLICATION_TASKS, "index", null,
          TasksResponse.ok(tasks))));
      out.flush();
    }
  }

  @Override
  public void close() throws IOException {
    stop();
  }

  private boolean answer(Envelope req, OutputStream out) throws IOException {
    if (mute) {
      return true;
    }
    Object reply = handle(req, out);
    synchronized (out) {
      out.write(Frames.encode(req.reply("index", reply)));
      out.flush();
    }
    return true;
  }

  private Object handle(Envelope req, OutputStream out) {
    switch (req.type()) {
      case MessageType.REGISTRY_REQUEST -> {
        RegistryRequest r = req.payloadAs(RegistryRequest.class);
        String id = r.peer() != null ? r.peer().peerId() : req.peerId();
        String have = tokens.get(id);
        if (have != null && !have.equals(r.token())) {
          return ErrorReply.of(ErrorCode.UNAUTHORIZED, "token mismatch");
        }
        String token = have != null ? have : UUID.randomUUID().toString();
        tokens.put(id, token);
        if (r.peer() != null) {
          peers.put(id, r.peer());
        }
        outByPeer.put(id, out);
        Map<String, FileMeta> held = files.computeIfAbsent(id, k -> new ConcurrentHashMap<>());
        switch (r.modeOrFull()) {
          case RegistryRequest.FULL -> {
            held.clear();
            held.putAll(r.files());
            registrations.incrementAndGet();
          }
          case RegistryRequest.ADD -> held.putAll(r.files());
          default -> r.files().keySet().forEach(held::remove);
        }
        return new RegistryResponse(Status.OK, held.size(), token, 200L, false, List.of());
      }
      case MessageType.HEARTBEAT -> {
        String token = req.payload().path("token").asText();
        if (!tokens.containsValue(token)) {
          return ErrorReply.of(ErrorCode.UNAUTHORIZED, "unknown session");
        }
        heartbeats.incrementAndGet();
        List<ReplicationTask> t = tasksOnHeartbeat.remove(req.peerId());
        return TasksResponse.ok(t == null ? List.of() : t);
      }
      case MessageType.SEARCH_REQUEST -> {
        SearchQuery q = req.payloadAs(SearchRequest.class).query();
        List<SearchResult> results = new ArrayList<>();
        for (Map.Entry<String, Map<String, FileMeta>> p : files.entrySet()) {
          PeerAddress addr = peers.get(p.getKey());
          for (Map.Entry<String, FileMeta> f : p.getValue().entrySet()) {
            boolean hit = q.isExact() ? f.getKey().equals(q.fileName())
                : f.getKey().toLowerCase().contains(q.contains().toLowerCase());
            if (hit && addr != null) {
              results.add(new SearchResult(p.getKey(), addr, f.getValue(),
                  q.isExact() ? null : f.getKey()));
            }
          }
        }
        boolean cut = !q.isExact() && results.size() > q.effectiveLimit();
        if (cut) {
          results = new ArrayList<>(results.subList(0, q.effectiveLimit()));
        }
        return new SearchResponse(Status.OK, q.fileName(), results, q.isExact() ? null : cut);
      }
      case MessageType.REPLICATION_REPORT -> {
        reports.add(req.payloadAs(ReplicationReport.class));
        return Ack.OK;
      }
      case MessageType.UNREGISTER -> {
        String token = req.payload().path("token").asText();
        tokens.entrySet().removeIf(e -> {
          if (e.getValue().equals(token)) {
            unregistered.add(e.getKey());
            files.remove(e.getKey());
            return true;
          }
          return false;
        });
        return Ack.OK;
      }
      default -> {
        return ErrorReply.of(ErrorCode.UNKNOWN_TYPE, "unknown type " + req.type());
      }
    }
  }

  @SuppressWarnings("unused")
  private static JsonNode none() {
    return null;
  }
}
