package io.p2pshare.protocol;

/** A request that cannot be served; becomes an error reply with {@link #code()}. */
public final class ProtocolException extends RuntimeException {
  private final ErrorCode code;

  public ProtocolException(ErrorCode code, String message) {
    super(message, null, false, false); // expected errors: no stack trace
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  public static ProtocolException badRequest(String message) {
    return new ProtocolException(ErrorCode.BAD_REQUEST, message);
  }

  /** Requires a non-null field, for compact record constructors. */
  public static <T> T require(T value, String field) {
    if (value == null) {
      throw badRequest("missing required field '" + field + "'");
    }
    return value;
  }
}
