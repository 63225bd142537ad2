package io.p2pshare.peer;

import io.p2pshare.protocol.Wire;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/**
 * The on-disk state of a download in progress: {@code <name>.part} (bytes at their offsets) and
 * {@code <name>.resume} (first line: what is being fetched; then one line per piece: its index
 * when it was verified against its piece hash, {@code w<index>} when it was only written, its
 * bytes hashed into the whole-file hash alone). A killed download resumes from the listed pieces
 * after re-hashing every one of them against its piece hash. Blocking IO: blocking dispatcher
 * only.
 */
public final class PartFile {
  /** What is being fetched: the resume record's first line. */
  public record Header(String fileName, long size, String sha256, long pieceSize, List<String> pieces) {}

  /**
   * A resume record read back: its header, the pieces it claims verified and those it lists as
   * written but never checked on their own.
   */
  public record Loaded(Header header, BitSet verified, BitSet written) {
    /** Every piece with bytes on disk worth re-hashing. */
    public BitSet listed() {
      BitSet all = (BitSet) verified.clone();
      all.or(written);
      return all;
    }
  }

  private final Path target;
  private final Path part;
  private final Path record;

  public PartFile(Path dir, String fileName) {
    this.target = dir.resolve(fileName);
    this.part = dir.resolve(fileName + CatalogScanner.PART_SUFFIX);
    this.record = dir.resolve(fileName + CatalogScanner.RESUME_SUFFIX);
  }

  public Path target() {
    return target;
  }

  public Path part() {
    return part;
  }

  public Path record() {
    return record;
  }

  /** Starts a fresh record (truncating any old one). */
  public void writeHeader(Header h) throws IOException {
    byte[] line = Wire.MAPPER.writeValueAsBytes(h);
    byte[] withNl = new byte[line.length + 1];
    System.arraycopy(line, 0, withNl, 0, line.length);
    withNl[line.length] = '\n';
    Files.write(record, withNl);
  }

  public void appendVerified(int index) throws IOException {
    appendLine(Integer.toString(index));
  }

  /** A piece written to the .part whose own hash was not checked (not claimed as verified). */
  public void appendWritten(int index) throws IOException {
    appendLine("w" + index);
  }

  private void appendLine(String line) throws IOException {
    Files.write(record, (line + "\n").getBytes(StandardCharsets.US_ASCII),
        StandardOpenOption.APPEND, StandardOpenOption.WRITE);
  }

  /** The record if present and readable; a torn last line is ignored. */
  public Optional<Loaded> load() {
    if (!Files.isRegularFile(record) || !Files.isRegularFile(part)) {
      return Optional.empty();
    }
    try {
      List<String> lines = Files.readAllLines(record, StandardCharsets.UTF_8);
      if (lines.isEmpty()) {
        return Optional.empty();
      }
      Header h = Wire.MAPPER.readValue(lines.get(0), Header.class);
      BitSet v = new BitSet();
      BitSet w = new BitSet();
      for (String l : lines.subList(1, lines.size())) {
        try {
          String t = l.trim();
          boolean written = t.startsWith("w");
          int i = Integer.parseInt(written ? t.substring(1) : t);
          if (i >= 0 && i < h.pieces().size()) {
            (written ? w : v).set(i);
          }
        } catch (NumberFormatException torn) {
          // a write cut short by a kill: that piece is simply fetched again
        }
      }
      return Optional.of(new Loaded(h, v, w));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  public void deleteRecord() throws IOException {
    Files.deleteIfExists(record);
  }

  /**
   * Moves the finished .part to its final name without ever replacing an existing file: a hard
   * link fails if the name is taken (atomic), then the .part is removed.
   */
  public void publish() throws IOException {
    publish(true);
  }

  /** As {@link #publish()}; {@code hadRecord} false skips removing a record never written. */
  public void publish(boolean hadRecord) throws IOException {
    try {
      Files.createLink(target, part);
      if (!part.toFile().delete()) { // one unlink; Files.delete stats first
        Files.delete(part); // for its error
      }
    } catch (UnsupportedOperationException e) {
      if (Files.exists(target)) {
        throw new java.nio.file.FileAlreadyExistsException(target.toString());
      }
      Files.move(part, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
    if (hadRecord) {
      deleteRecord();
    }
  }
}
