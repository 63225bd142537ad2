package io.p2pshare.protocol;

/** The payload of every error reply: {@code {"status":"error","error":…,"code":…}}. */
public record ErrorReply(String status, String error, String code) {
  public static ErrorReply of(ErrorCode code, String message) {
    return new ErrorReply(Status.ERROR, message, code.name());
  }

  public static ErrorReply of(ProtocolException e) {
    return of(e.code(), e.getMessage());
  }
}
