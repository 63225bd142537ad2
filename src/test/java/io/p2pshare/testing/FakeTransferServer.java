package io.p2pshare.testing;

import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.ErrorCode;
import io.p2pshare.protocol.ErrorReply;
import io.p2pshare.protocol.Frames;
import io.p2pshare.protocol.ManifestResponse;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.PeerAddress;
import io.p2pshare.protocol.Status;
import io.p2pshare.protocol.TransferHeader;
import io.p2pshare.protocol.TransferRequest;
import io.p2pshare.transfer.PieceHasher;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A transfer port speaking the wire protocol, for download tests: serves a directory with
 * ranges and manifests; can serve corrupt bytes, or act as a base v1 peer (no manifest, no
 * ranges). Counts the body bytes it sent.
 */
public final class FakeTransferServer implements AutoCloseable {
  public final AtomicLong bytesServed = new AtomicLong();
  public final AtomicLong requests = new AtomicLong();
  public volatile boolean corrupt;
  /** When not negative: only the body of the range starting at this offset is corrupted, once. */
  public final AtomicLong corruptOnceAt = new AtomicLong(-1);
  public volatile boolean baseV1;
  /** This many transfer requests are answered BUSY first. */
  public final java.util.concurrent.atomic.AtomicInteger busyReplies = new java.util.concurrent.atomic.AtomicInteger();
  private final String peerId;
  private final java.util.function.Function<String, Path> resolve;
  private final long pieceSize;
  private final FrameServer server;

  public FakeTransferServer(String peerId, Path dir, long pieceSize) throws IOException {
    this(peerId, dir::resolve, pieceSize);
  }

  /** Serves whatever {@code resolve} maps a name to (null or a missing file: NOT_FOUND). */
  public FakeTransferServer(String peerId, java.util.function.Function<String, Path> resolve,
      long pieceSize) throws IOException {
    this.peerId = peerId;
    this.resolve = resolve;
    this.pieceSize = pieceSize;
    this.server = FrameServer.start("fake-transfer-" + peerId, 0, (req, out) -> {
      requests.incrementAndGet();
      handle(req, out);
      return true;
    });
  }

  public PeerAddress address() {
    return new PeerAddress(peerId, "127.0.0.1", server.port());
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  private void handle(Envelope req, OutputStream out) throws IOException {
    TransferRequest r = req.payloadAs(TransferRequest.class);
    Path f = r.fileName().contains("/") ? null : resolve.apply(r.fileName());
    boolean exists = f != null && Files.isRegularFile(f);
    switch (req.type()) {
      case MessageType.MANIFEST_REQUEST -> {
        if (baseV1) {
          out.write(Frames.encode(req.reply(peerId, ErrorReply.of(ErrorCode.UNKNOWN_TYPE, "unknown type"))));
          return;
        }
        if (!exists) {
          out.write(Frames.encode(req.reply(peerId, ErrorReply.of(ErrorCode.NOT_FOUND, "no such file"))));
          return;
        }
        PieceHasher.Hashes h = PieceHasher.hash(f, pieceSize);
        out.write(Frames.encode(req.reply(peerId, new ManifestResponse(Status.OK, r.fileName(),
            h.size(), h.sha256(), h.pieceSize(), h.pieces()))));
      }
      case MessageType.OBTAIN_REQUEST, MessageType.REPLICATE_REQUEST -> {
        if (busyReplies.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          out.write(Frames.encode(req.reply(peerId,
              new TransferHeader(Status.ERROR, r.fileName(), null, null, null, null, null,
                  "too many uploads", ErrorCode.BUSY.name()))));
          return;
        }
        if (!exists) {
          out.write(Frames.encode(req.reply(peerId,
              new TransferHeader(Status.ERROR, r.fileName(), null, null, null, null, null,
                  "no such file", ErrorCode.NOT_FOUND.name()))));
          return;
        }
        long size = Files.size(f);
        long off = baseV1 || r.offset() == null ? 0 : r.offset();
        long len = baseV1 || r.length() == null ? size - off : Math.min(r.length(), size - off);
        out.write(Frames.encode(req.reply(peerId, new TransferHeader(Status.OK, r.fileName(), size,
            len, baseV1 ? null : off, baseV1 ? null : len, null, null, null))));
        out.flush();
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
          raf.seek(off);
          byte[] buf = new byte[64 * 1024];
          long left = len;
          boolean first = true;
          long at = off;
          while (left > 0) {
            int n = raf.read(buf, 0, (int) Math.min(buf.length, left));
            long bad = corruptOnceAt.get(); // a byte of the file, in whichever reply covers it
            if (bad >= at && bad < at + n && corruptOnceAt.compareAndSet(bad, -1)) {
              buf[(int) (bad - at)] ^= 0x5A;
            }
            at += n;
            if (corrupt && first) {
              buf[0] ^= 0x5A;
            }
            first = false;
            out.write(buf, 0, n);
            left -= n;
            bytesServed.addAndGet(n);
          }
        }
      }
      default -> out.write(Frames.encode(req.reply(peerId, ErrorReply.of(ErrorCode.UNKNOWN_TYPE, "?"))));
    }
  }
}
