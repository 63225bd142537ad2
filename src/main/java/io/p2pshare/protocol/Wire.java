package io.p2pshare.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one shared Jackson mapper for every frame: snake_case, unknown fields ignored, bounded input. */
public final class Wire {
  /** Limits sized to our frame limits: a hostile frame cannot make the parser allocate more. */
  private static final StreamReadConstraints LIMITS = StreamReadConstraints.builder()
      .maxNestingDepth(64)
      .maxNumberLength(64)
      .maxStringLength(16 * 1024 * 1024)
      .maxNameLength(4096)
      .build();

  public static final JsonMapper MAPPER = JsonMapper.builder(
          JsonFactory.builder().streamReadConstraints(LIMITS).build())
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      // A missing primitive must not silently become 0: records use boxed types, and nulls in
      // primitives are refused.
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
      .serializationInclusion(JsonInclude.Include.NON_NULL)
      .build();

  private Wire() {}
}
