package io.p2pshare.transfer;

/** Which of a peer's directories a file lives in. */
public enum Origin {
  SHARED,
  REPLICATED,
  DOWNLOADED
}
