package io.p2pshare.protocol;

/** Values of {@code payload.status}. */
public final class Status {
  public static final String OK = "ok";
  public static final String ERROR = "error";

  private Status() {}
}
