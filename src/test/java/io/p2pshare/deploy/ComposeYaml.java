package io.p2pshare.deploy;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Reading a parsed Compose file in tests: services, string lists, bind mounts. */
final class ComposeYaml {
  private ComposeYaml() {}

  static JsonNode service(JsonNode compose, String name) {
    JsonNode s = compose.get("services").get(name);
    assertNotNull(s, "no service " + name);
    return s;
  }

  static List<String> strings(JsonNode array) {
    assertNotNull(array);
    assertTrue(array.isArray(), "expected a list, got " + array);
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** The container path a host path is bind-mounted at (short syntax {@code src:dst[:mode]}). */
  static String mountTarget(JsonNode svc, String source) {
    for (String v : strings(svc.get("volumes"))) {
      String[] parts = v.split(":");
      if (parts[0].equals(source)) {
        return parts[1];
      }
    }
    throw new AssertionError("no mount of " + source + " in " + svc.get("volumes"));
  }
}
