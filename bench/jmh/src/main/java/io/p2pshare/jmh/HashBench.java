package io.p2pshare.jmh;

import io.p2pshare.transfer.PieceHasher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Piece hashing of a 16 MiB file (whole-file SHA-256 plus 4 MiB piece hashes, from the page
 * cache) against the ceiling: one MessageDigest over the same bytes in memory.
 * MB/s = ops/s × 16.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@State(Scope.Benchmark)
public class HashBench {
  public static final int SIZE = 16 * 1024 * 1024;
  private byte[] data;
  private Path file;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    data = new byte[SIZE];
    SplittableRandom r = new SplittableRandom(42);
    for (int i = 0; i < SIZE; i++) {
      data[i] = (byte) r.nextInt();
    }
    file = Files.createTempFile("p2pshare-jmh-", ".bin");
    Files.write(file, data);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    Files.deleteIfExists(file);
  }

  @Benchmark
  public PieceHasher.Hashes pieceHasher() throws Exception {
    return PieceHasher.hash(file, PieceHasher.DEFAULT_PIECE_SIZE);
  }

  @Benchmark
  public byte[] messageDigestCeiling() throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(data);
    return md.digest();
  }
}
