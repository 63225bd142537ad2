package io.p2pshare.protocol;

/** Machine-readable error codes carried in {@code payload.code}. */
public enum ErrorCode {
  BAD_REQUEST,
  NOT_FOUND,
  FRAME_TOO_LARGE,
  UNAUTHORIZED,
  BUSY,
  UNKNOWN_TYPE,
  INTERNAL
}
