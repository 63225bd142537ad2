package io.p2pshare.transport;

import java.time.Duration;

/**
 * Connection limits of a server port: total and per remote address (refused with BUSY), and the
 * header deadline for a started request line (slow-loris; zero disables it).
 */
public record PortLimits(int maxConnections, int maxConnectionsPerAddress, Duration headerDeadline) {
  public static final PortLimits DEFAULT = new PortLimits(4096, 256, Duration.ofSeconds(10));
}
