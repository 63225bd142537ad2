package io.p2pshare.transfer;

import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.ErrorCode;
import io.p2pshare.protocol.ErrorReply;
import io.p2pshare.protocol.Frames;
import io.p2pshare.protocol.ManifestResponse;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.TransferHeader;
import io.p2pshare.protocol.TransferRequest;
import io.p2pshare.testing.FrameServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A misbehaving transfer port for client tests (blocking sockets, a thread per connection):
 * serves one in-memory file under any name, in the manner chosen by {@link #mode}.
 */
public final class HostileTransferServer implements AutoCloseable {
  /** How it misbehaves. */
  public enum Mode {
    /** Correct replies (a reference for the others). */
    HONEST,
    /** Correct headers, one flipped byte in each body. */
    CORRUPT,
    /** Announces the full body, sends half of it, then closes the connection. */
    TRUNCATE,
    /** Base v1 peer: no MANIFEST (UNKNOWN_TYPE), ranges ignored, no offset/length in headers. */
    BASE_V1,
    /** Answers with something that is not a frame. */
    GARBAGE,
    /** Announces one byte more than asked for. */
    WRONG_LENGTH,
    /** Announces the full body, sends half of it, then goes silent with the connection open. */
    STALL
  }

  public volatile Mode mode;
  /** If set, manifests claim this whole-file SHA-256 (their piece hashes stay true to the bytes). */
  public volatile String claimedSha256;
  /** While above zero, a body request is answered as in TRUNCATE (and this counts down). */
  public final java.util.concurrent.atomic.AtomicInteger truncateNext = new java.util.concurrent.atomic.AtomicInteger();
  /** Each OBTAIN/REPLICATE request's offset and length (null: whole file), in arrival order. */
  public final List<long[]> ranges = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
  private final byte[] content;
  private final FrameServer server;

  public HostileTransferServer(byte[] content, Mode mode) throws IOException {
    this.content = content;
    this.mode = mode;
    this.server = FrameServer.start("hostile-transfer", 0, this::handle);
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  /** False: close the connection now. */
  private boolean handle(Envelope req, OutputStream out) throws IOException {
    TransferRequest r = req.payloadAs(TransferRequest.class);
    Mode m = mode;
    if (m == Mode.GARBAGE) {
      out.write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      return true;
    }
    if (req.type().equals(MessageType.MANIFEST_REQUEST)) {
      if (m == Mode.BASE_V1) {
        out.write(Frames.encode(req.reply("hostile", ErrorReply.of(ErrorCode.UNKNOWN_TYPE, "unknown type"))));
      } else {
        PieceHasher.Hashes h = hash(content);
        out.write(Frames.encode(req.reply("hostile",
            new ManifestResponse("ok", r.fileName(), h.size(),
                claimedSha256 != null ? claimedSha256 : h.sha256(), h.pieceSize(), h.pieces()))));
      }
      return true;
    }
    ranges.add(new long[] {r.offset() == null ? -1 : r.offset(), r.length() == null ? -1 : r.length()});
    if (truncateNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      m = Mode.TRUNCATE;
    }
    boolean base = m == Mode.BASE_V1;
    int off = base || r.offset() == null ? 0 : (int) (long) r.offset();
    int len = base || r.length() == null ? content.length - off : (int) (long) r.length();
    long announced = m == Mode.WRONG_LENGTH ? len + 1 : len;
    out.write(Frames.encode(req.reply("hostile", new TransferHeader("ok", r.fileName(),
        (long) content.length, announced, base ? null : (long) off, base ? null : announced, null, null, null))));
    out.flush();
    byte[] body = Arrays.copyOfRange(content, off, off + len);
    if (m == Mode.CORRUPT && body.length > 0) {
      body[body.length / 2] ^= 0x5A;
    }
    if (m == Mode.TRUNCATE) {
      out.write(body, 0, body.length / 2);
      out.flush();
      return false;
    }
    if (m == Mode.STALL) {
      out.write(body, 0, body.length / 2);
      out.flush();
      try {
        Thread.sleep(30_000); // until the client gives up (or the server closes this connection)
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return false;
    }
    out.write(body);
    return true;
  }

  static PieceHasher.Hashes hash(byte[] content) throws IOException {
    java.nio.file.Path f = java.nio.file.Files.createTempFile("hostile", ".bin");
    try {
      java.nio.file.Files.write(f, content);
      return PieceHasher.hash(f, PieceHasher.DEFAULT_PIECE_SIZE);
    } finally {
      java.nio.file.Files.deleteIfExists(f);
    }
  }
}
