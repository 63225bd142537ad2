package io.p2pshare.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/** Writes result files as indented snake_case JSON, atomically (a reader never sees half a file). */
public final class ResultWriter {
  public static final Path RESULTS_DIR = Path.of("bench", "results");

  static final JsonMapper MAPPER = JsonMapper.builder()
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .serializationInclusion(JsonInclude.Include.NON_NULL)
      .build();

  public static Path write(Path file, Object run) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve(file.getFileName() + ".tmp");
    MAPPER.writeValue(tmp.toFile(), run);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return file;
  }

  public static JsonNode read(Path file) throws IOException {
    return MAPPER.readTree(file.toFile());
  }

  @SuppressWarnings("unchecked")
  public static Map<String, Object> readMap(Path file) throws IOException {
    return MAPPER.readValue(file.toFile(), Map.class);
  }

  private ResultWriter() {}
}
