package io.p2pshare.protocol;

/** A bare success reply. */
public record Ack(String status) {
  public static final Ack OK = new Ack(Status.OK);
}
