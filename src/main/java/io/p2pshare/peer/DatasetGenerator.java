package io.p2pshare.peer;

import io.p2pshare.config.AppConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The reference dataset: {@code {peer}_{kb|mb|gb}_{num:04}.{txt|bin}}. Content is pseudo-random
 * and deterministic per (seed, file name), written chunk by chunk (constant memory) into a
 * {@code .part} file that is renamed when complete. A file that already has the right size is
 * left alone.
 */
public final class DatasetGenerator {
  /** The text alphabet for .txt files: printable, with line breaks. */
  private static final byte[] TEXT =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \n".getBytes(StandardCharsets.US_ASCII);

  /** One file to make. */
  public record Spec(String name, long size, boolean text) {}

  /** What a run did. */
  public record Result(int written, int skipped, long bytesWritten) {}

  public static List<Spec> plan(String peerId, List<String> sizeClasses, AppConfig.FileGeneration gen) {
    List<Spec> specs = new ArrayList<>();
    for (String cls : sizeClasses) {
      AppConfig.SizeClass sc = switch (cls) {
        case "kb" -> gen.kb();
        case "mb" -> gen.mb();
        case "gb" -> gen.gb();
        default -> throw new IllegalArgumentException(
            "unknown size class '" + cls + "' (expected kb, mb, gb)");
      };
      boolean text = cls.equals("kb");
      for (int i = 1; i <= sc.count(); i++) {
        specs.add(new Spec(
            String.format("%s_%s_%04d.%s", peerId, cls, i, text ? "txt" : "bin"), sc.sizeBytes(), text));
      }
    }
    return specs;
  }

  /** Writes every spec into {@code dir}; {@code progress} gets one line now and then. */
  public static Result generate(Path dir, List<Spec> specs, long seed, int chunkSize,
      Consumer<String> progress) throws IOException {
    Files.createDirectories(dir);
    long total = specs.stream().mapToLong(Spec::size).sum();
    long done = 0;
    long lastReport = 0;
    long reportEvery = Math.max(64L * 1024 * 1024, total / 20);
    int written = 0;
    int skipped = 0;
    long bytes = 0;
    byte[] chunk = new byte[Math.max(4096, chunkSize)];
    for (Spec s : specs) {
      Path target = dir.resolve(s.name());
      if (Files.isRegularFile(target) && Files.size(target) == s.size()) {
        skipped++;
      } else {
        writeOne(target, s, seed, chunk);
        written++;
        bytes += s.size();
      }
      done += s.size();
      if (done - lastReport >= reportEvery && total > 256L * 1024 * 1024) {
        lastReport = done;
        progress.accept(String.format("generated %d/%d MiB (%d%%)",
            done >> 20, total >> 20, done * 100 / total));
      }
    }
    return new Result(written, skipped, bytes);
  }

  private static void writeOne(Path target, Spec s, long seed, byte[] chunk) throws IOException {
    Path part = target.resolveSibling(target.getFileName() + ".part");
    SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ s.name().hashCode());
    try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      long left = s.size();
      while (left > 0) {
        int n = (int) Math.min(chunk.length, left);
        fill(rnd, chunk, n, s.text());
        ByteBuffer buf = ByteBuffer.wrap(chunk, 0, n);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        left -= n;
      }
    }
    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  static void fill(SplittableRandom rnd, byte[] buf, int n, boolean text) {
    int i = 0;
    while (i < n) {
      long v = rnd.nextLong();
      for (int k = 0; k < 8 && i < n; k++, i++) {
        byte b = (byte) v;
        buf[i] = text ? TEXT[b & 63] : b;
        v >>>= 8;
      }
    }
  }

  private DatasetGenerator() {}
}
