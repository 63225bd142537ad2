package io.p2pshare.metrics;

import java.util.HashMap;
import java.util.Map;

/** Reads a Prometheus text-format scrape into {@code series → value} for assertions. */
public final class PromText {
  /** {@code name{b="2",a="1"}} → {@code name{a="1",b="2"}}: label order is not part of the format. */
  public static String canonical(String series) {
    int brace = series.indexOf('{');
    if (brace < 0) {
      return series;
    }
    String[] labels = series.substring(brace + 1, series.length() - 1).split(",(?=[a-zA-Z_]+=\")");
    java.util.Arrays.sort(labels);
    return series.substring(0, brace) + "{" + String.join(",", labels) + "}";
  }

  /** Prometheus text format: {@code name{labels} value} per line, '#' lines are metadata. */
  public static Map<String, Double> parse(String body) {
    Map<String, Double> out = new HashMap<>();
    for (String line : body.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      String value = line.substring(space + 1);
      out.put(canonical(line.substring(0, space)), value.equals("+Inf")
          ? Double.POSITIVE_INFINITY : Double.parseDouble(value));
    }
    return out;
  }

  private PromText() {}
}
