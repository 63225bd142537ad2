package io.p2pshare.transfer;

import akka.Done;
import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.japi.Pair;
import akka.stream.IOResult;
import akka.stream.Materializer;
import akka.stream.QueueOfferResult;
import akka.stream.javadsl.FileIO;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.stream.BoundedSourceQueue;
import akka.util.ByteString;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.ErrorReply;
import io.p2pshare.protocol.Frames;
import io.p2pshare.protocol.ManifestResponse;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.ProtocolException;
import io.p2pshare.protocol.TransferHeader;
import io.p2pshare.protocol.TransferRequest;
import io.p2pshare.transfer.HeaderBodyDecoder.BodyChunk;
import io.p2pshare.transfer.HeaderBodyDecoder.BodyEnd;
import io.p2pshare.transfer.HeaderBodyDecoder.Event;
import io.p2pshare.transfer.HeaderBodyDecoder.Header;
import io.p2pshare.transfer.HeaderBodyDecoder.Malformed;
import io.p2pshare.transfer.HeaderBodyDecoder.Truncated;
import io.p2pshare.transport.Transport;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One persistent Streams TCP connection to a peer's transfer port, for fetching ranges of files
 * into {@code .part} files and manifests. Requests are pipelined: each call sends its frame at
 * once and completes when its reply (and body) has arrived; replies come back in request order.
 *
 * <pre>{@code
 * TransferClient c = TransferClient.connect(system, "127.0.0.1", 7101, "peer1").toCompletableFuture().get();
 * ManifestResponse m = c.manifest("peer2_mb_0001.bin").toCompletableFuture().get();
 * RangeResult r = c.fetch("peer2_mb_0001.bin", 0, 4 << 20, part).toCompletableFuture().get();
 * // r.sha256() is the SHA-256 of exactly those bytes, written at offset 0 of part
 * c.close();
 * }</pre>
 *
 * <ul>
 *   <li>{@link #fetch}: OBTAIN (or REPLICATE) with offset/length; the body is written into
 *       {@code part} at {@code offset} with {@code WRITE, CREATE} (never truncating other
 *       ranges) while its SHA-256 is computed. Fails with {@link Refused} on an error reply
 *       (connection still usable), with {@link IOException} when the server announces another
 *       length, or when the connection ends or breaks mid-body (never a short success).
 *   <li>{@link #fetchWhole}: base v1 fallback, a request without offset/length; the whole file
 *       into {@code part} from 0 (truncated first); only the size is checked (against the
 *       header's {@code file_size}).
 *   <li>{@link #manifest}: MANIFEST; {@link Refused} when the server does not know it (a base
 *       v1 peer answers UNKNOWN_TYPE) or lacks the file.
 * </ul>
 * Pipeline (STYLE.md §5 steps 3-5): request queue → TCP → {@link HeaderBodyDecoder} →
 * {@code splitWhen(Header)} → {@code prefixAndTail(1)} → {@code mapAsync(1)} running each body
 * into {@code FileIO.toPath}. After any connection failure every pending call fails; open a new
 * client. Thread-safe; the write side stays open until {@link #close()}.
 */
public final class TransferClient implements AutoCloseable {
  private static final int MAX_HEADER = 64 * 1024;
  private static final int MAX_PENDING = 256;

  /** The server answered with an error header; no body followed. */
  public static final class Refused extends IOException {
    private final String code;

    public Refused(String code, String message) {
      super(message + (code == null ? "" : " (" + code + ")"), null);
      this.code = code;
    }

    /** The wire error code ({@code NOT_FOUND}, {@code BUSY}, ...), may be null. */
    public String code() {
      return code;
    }
  }

  /** One body that arrived in full: where it went and the SHA-256 of its bytes. */
  public record RangeResult(String fileName, long offset, long bytes, String sha256, TransferHeader header) {}

  private sealed interface Call permits ManifestCall, RangeCall {
    CompletableFuture<?> promise();
  }

  private record ManifestCall(String name, CompletableFuture<ManifestResponse> promise) implements Call {}

  private record RangeCall(String name, Long offset, Long length, Path part,
      CompletableFuture<RangeResult> promise) implements Call {}

  private final String clientId;
  private final Materializer mat;
  private final Queue<Call> pending = new ConcurrentLinkedQueue<>();
  private BoundedSourceQueue<ByteString> requests;
  private CompletionStage<Done> done;
  private long seq;
  private boolean closed;
  private IOException terminated; // set once the connection is gone; guarded by this

  private TransferClient(String clientId, Materializer mat) {
    this.clientId = clientId;
    this.mat = mat;
  }

  /** Connects; completes once the TCP connection is up (or failed). */
  public static CompletionStage<TransferClient> connect(ActorSystem<?> system, String host, int port,
      String clientId) {
    return connect(system, host, port, clientId, Duration.ofSeconds(10), Duration.ofSeconds(60));
  }

  public static CompletionStage<TransferClient> connect(ActorSystem<?> system, String host, int port,
      String clientId, Duration connectTimeout, Duration idleTimeout) {
    TransferClient c = new TransferClient(clientId, Materializer.matFromSystem(system));
    return c.start(system, host, port, connectTimeout, idleTimeout).thenApply(x -> c);
  }

  private CompletionStage<?> start(ActorSystem<?> system, String host, int port,
      Duration connectTimeout, Duration idleTimeout) {
    var m = Source.<ByteString>queue(MAX_PENDING)
        .viaMat(Transport.connect(system, host, port, io.p2pshare.transport.NodeTls.client(system), Optional.of(connectTimeout),
            Optional.of(idleTimeout)), Keep.both())
        .statefulMap(() -> HeaderBodyDecoder.forTransfers(MAX_HEADER),
            (d, bytes) -> Pair.create(d, d.feed(bytes)), d -> Optional.of(d.onComplete()))
        .mapConcat(events -> events)
        // A new reply starts at every event that is not part of a body: a header, or a failure
        // between replies (which must not vanish into the previous, finished body).
        .splitWhen(TransferClient::startsReply)
        .prefixAndTail(1)
        .mapAsync(1, p -> onReply(p.first().get(0), p.second()))
        .concatSubstreams()
        .toMat(Sink.ignore(), Keep.both())
        .run(mat);
    requests = m.first().first();
    done = m.second();
    done.whenComplete((ok, err) -> failAll(err != null ? err : new IOException("connection closed")));
    CompletionStage<?> connected = m.first().second();
    return connected.whenComplete((c, err) -> {
      if (err != null) {
        failAll(err);
      }
    });
  }

  /** Fetches the manifest of {@code name}. */
  public CompletionStage<ManifestResponse> manifest(String name) {
    CompletableFuture<ManifestResponse> p = new CompletableFuture<>();
    send(new ManifestCall(name, p), MessageType.MANIFEST_REQUEST, new TransferRequest(name, null, null));
    return p;
  }

  /** OBTAIN {@code length} bytes of {@code name} from {@code offset} into {@code part} at {@code offset}. */
  public CompletionStage<RangeResult> fetch(String name, long offset, long length, Path part) {
    return fetch(MessageType.OBTAIN_REQUEST, name, offset, length, part);
  }

  /** As {@link #fetch(String, long, long, Path)} with OBTAIN_REQUEST or REPLICATE_REQUEST. */
  public CompletionStage<RangeResult> fetch(String type, String name, long offset, long length, Path part) {
    CompletableFuture<RangeResult> p = new CompletableFuture<>();
    send(new RangeCall(name, offset, length, part, p), type, new TransferRequest(name, offset, length));
    return p;
  }

  /** Base v1 fallback: the whole file, no range fields, into {@code part} from 0; size checked. */
  public CompletionStage<RangeResult> fetchWhole(String type, String name, Path part) {
    CompletableFuture<RangeResult> p = new CompletableFuture<>();
    send(new RangeCall(name, null, null, part, p), type, new TransferRequest(name, null, null));
    return p;
  }

  /** Completes when the connection has ended (after {@link #close()} or a failure). */
  public CompletionStage<Done> whenClosed() {
    return done;
  }

  /** Ends the write side; replies already on their way still arrive, later calls fail. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      requests.complete();
    }
  }

  // Synchronized: the pending queue must hold calls in exactly the order their frames are sent.
  private synchronized void send(Call call, String type, TransferRequest req) {
    if (closed || terminated != null) {
      call.promise().completeExceptionally(terminated != null ? terminated : new IOException("client closed"));
      return;
    }
    byte[] frame = Frames.encode(Envelope.of(type, clientId, clientId + "-" + (++seq), req));
    pending.add(call);
    QueueOfferResult r = requests.offer(ByteString.fromArrayUnsafe(frame));
    if (r != QueueOfferResult.enqueued()) {
      pending.remove(call);
      call.promise().completeExceptionally(new IOException(
          r == QueueOfferResult.dropped() ? "too many requests in flight" : "connection closed"));
    }
  }

  /** One reply: its header (or a decode failure) and the rest of its substream (the body). */
  private CompletionStage<Done> onReply(Event first, Source<Event, NotUsed> tail) {
    if (!(first instanceof Header h)) {
      tail.runWith(Sink.ignore(), mat);
      throw new IllegalStateException(describe(first));
    }
    Call call = pending.poll();
    if (call == null) {
      tail.runWith(Sink.ignore(), mat);
      throw new IllegalStateException("reply without a request: " + h.envelope().type());
    }
    if (call instanceof ManifestCall mc) {
      tail.runWith(Sink.ignore(), mat);
      onManifest(mc, h);
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    return onBody((RangeCall) call, h, tail);
  }

  private void onManifest(ManifestCall mc, Header h) {
    try {
      ManifestResponse m = h.envelope().payloadAs(ManifestResponse.class);
      if (!"ok".equals(m.status())) {
        ErrorReply e = h.envelope().payloadAs(ErrorReply.class);
        mc.promise().completeExceptionally(new Refused(e.code(), "no manifest for " + mc.name() + ": " + e.error()));
      } else {
        mc.promise().complete(m);
      }
    } catch (ProtocolException e) {
      mc.promise().completeExceptionally(new IOException("bad manifest for " + mc.name() + ": " + e.getMessage()));
    }
  }

  private CompletionStage<Done> onBody(RangeCall rc, Header h, Source<Event, NotUsed> tail) {
    TransferHeader th;
    try {
      th = h.envelope().payloadAs(TransferHeader.class);
    } catch (ProtocolException e) { // cannot happen: the decoder already read it
      throw new IllegalStateException(e.getMessage());
    }
    if (!th.ok()) {
      tail.runWith(Sink.ignore(), mat);
      rc.promise().completeExceptionally(new Refused(th.code(),
          rc.name() + ": " + (th.error() == null ? "refused" : th.error())));
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    long expected = rc.length() != null ? rc.length() : th.fileSize() == null ? -1 : th.fileSize();
    if (h.bodyLength() != expected) {
      // A body of unexpected size is still on the wire: we cannot skip it safely, so the
      // connection fails (and with it this call).
      IOException e = new IOException(rc.name() + ": server announced " + h.bodyLength()
          + " bytes, expected " + expected);
      rc.promise().completeExceptionally(e);
      tail.runWith(Sink.ignore(), mat);
      return CompletableFuture.failedFuture(e);
    }
    long offset = rc.offset() == null ? 0 : rc.offset();
    Set<StandardOpenOption> opts = rc.offset() == null
        ? Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)
        : Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE);
    MessageDigest digest = PieceHasher.sha256();
    long[] received = {0};
    CompletionStage<IOResult> written = tail
        .takeWhile(e -> !(e instanceof BodyEnd))
        .map(e -> {
          if (e instanceof BodyChunk c) {
            for (java.nio.ByteBuffer bb : c.bytes().getByteBuffers()) {
              digest.update(bb);
            }
            received[0] += c.bytes().size();
            return c.bytes();
          }
          throw new IOException(rc.name() + ": " + describe(e));
        })
        .runWith(FileIO.toPath(rc.part(), opts, offset), mat);
    return written.handle((io, err) -> {
      if (err == null && received[0] == expected) {
        rc.promise().complete(new RangeResult(rc.name(), offset, received[0],
            PieceHasher.hex(digest.digest()), th));
        return Done.getInstance();
      }
      Throwable cause = err != null ? unwrap(err)
          : new IOException(rc.name() + ": got " + received[0] + " of " + expected + " bytes");
      rc.promise().completeExceptionally(cause);
      // The connection cannot be trusted after a failed body: end it.
      throw new java.util.concurrent.CompletionException(cause);
    });
  }

  private static boolean startsReply(Event e) {
    return !(e instanceof BodyChunk || e instanceof BodyEnd || (e instanceof Truncated t && !t.inHeader()));
  }

  private static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof java.util.concurrent.CompletionException
        || c.getClass().getName().equals("akka.stream.IOOperationIncompleteException"))
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  private static String describe(Event e) {
    if (e instanceof Truncated t) {
      return t.inHeader() ? "connection ended inside a header"
          : "connection ended with " + t.missing() + " body bytes missing";
    }
    if (e instanceof Malformed m) {
      return "malformed reply: " + m.reason();
    }
    return "unexpected " + e;
  }

  /** On connect failure or stream end: fails every pending call and refuses later ones. */
  private synchronized void failAll(Throwable err) {
    Throwable cause = unwrap(err);
    if (!(cause instanceof IOException)) {
      cause = new IOException(cause.getMessage(), cause);
    }
    if (terminated == null) {
      terminated = (IOException) cause;
    }
    Call c;
    while ((c = pending.poll()) != null) {
      c.promise().completeExceptionally(cause);
    }
  }
}
