package io.p2pshare.config;

/** A {@code host:port} pair. */
public record Endpoint(String host, int port) {
  public Endpoint {
    if (host == null || host.isBlank()) {
      throw new ConfigException("host must not be empty");
    }
    if (port < 0 || port > 65535) {
      throw new ConfigException("port out of range: " + port);
    }
  }

  /** Parses {@code host:port}, {@code :port} (loopback) or {@code [v6]:port}. */
  public static Endpoint parse(String text) {
    if (text == null || text.isBlank()) {
      throw new ConfigException("expected host:port, got nothing");
    }
    String s = text.trim();
    int colon = s.lastIndexOf(':');
    if (colon < 0) {
      throw new ConfigException("expected host:port, got '" + s + "'");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.isEmpty()) {
      host = "127.0.0.1";
    }
    try {
      return new Endpoint(host, Integer.parseInt(s.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new ConfigException("expected host:port, got '" + s + "'");
    }
  }

  /** A comma-separated list of {@code host:port} (at least one). */
  public static java.util.List<Endpoint> parseList(String text) {
    if (text == null || text.isBlank()) {
      throw new ConfigException("expected host:port, got nothing");
    }
    java.util.List<Endpoint> out = new java.util.ArrayList<>();
    for (String part : text.split(",")) {
      if (!part.isBlank()) {
        out.add(parse(part));
      }
    }
    if (out.isEmpty()) {
      throw new ConfigException("expected host:port, got '" + text + "'");
    }
    return java.util.List.copyOf(out);
  }

  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
