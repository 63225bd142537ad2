package io.p2pshare.bench;

import io.p2pshare.config.AppConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The peer's generated dataset by name: {@code {peer}_{kb|mb|gb}_{num:04}.{txt|bin}}, from 1. */
public final class Workload {
  /** How many files of each size class, and how big each class is. */
  public record Counts(int kb, int mb, int gb) {}

  public static String name(String peer, String sizeClass, int num) {
    String ext = "kb".equals(sizeClass) ? "txt" : "bin";
    return String.format(Locale.ROOT, "%s_%s_%04d.%s", peer, sizeClass, num, ext);
  }

  /** Every name the generator made for {@code peer} per the config's counts (search targets). */
  public static List<String> generatedNames(String peer, AppConfig.FileGeneration gen) {
    List<String> names = new ArrayList<>();
    addNames(names, peer, "kb", gen.kb().count());
    addNames(names, peer, "mb", gen.mb().count());
    addNames(names, peer, "gb", gen.gb().count());
    return names;
  }

  private static void addNames(List<String> names, String peer, String cls, int count) {
    for (int i = 1; i <= count; i++) {
      names.add(name(peer, cls, i));
    }
  }

  /**
   * The download workload: the first {@code counts} files of each class. The expected SHA-256
   * comes from {@code sourceDir} when the files are on this machine, else it is left null (the
   * downloader then checks against the hash the index and peer announce, and we check the size).
   */
  public static List<FileSpec> files(String peer, Counts counts, AppConfig.FileGeneration gen,
      Path sourceDir) throws IOException {
    List<FileSpec> files = new ArrayList<>();
    addFiles(files, peer, "kb", counts.kb(), gen.kb(), sourceDir);
    addFiles(files, peer, "mb", counts.mb(), gen.mb(), sourceDir);
    addFiles(files, peer, "gb", counts.gb(), gen.gb(), sourceDir);
    return files;
  }

  private static void addFiles(List<FileSpec> files, String peer, String cls, int count,
      AppConfig.SizeClass size, Path sourceDir) throws IOException {
    if (count > size.count()) {
      throw new IllegalArgumentException("asked for " + count + " " + cls + " files but " + peer
          + " generates only " + size.count() + " (data.file_generation." + cls + ".count)");
    }
    for (int i = 1; i <= count; i++) {
      String n = name(peer, cls, i);
      Path local = sourceDir == null ? null : sourceDir.resolve(n);
      if (local != null && Files.isRegularFile(local)) {
        files.add(new FileSpec(n, Files.size(local), StrongScaling.sha256(local)));
      } else {
        files.add(new FileSpec(n, size.sizeBytes(), null));
      }
    }
  }

  private Workload() {}
}
