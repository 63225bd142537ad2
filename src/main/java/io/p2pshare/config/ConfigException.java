package io.p2pshare.config;

/** A configuration problem the user must fix; its message is the one line printed on stderr. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
