package io.p2pshare.protocol;

/** STATS_RESPONSE payload. */
public record StatsResponse(
    String status,
    Integer peersLive,
    Integer peersDead,
    Long files,
    Long entries,
    Long underReplicated,
    TaskCounts tasks,
    Long uptimeMs) {

  /** Replication task counts by state. */
  public record TaskCounts(Long queued, Long running, Long done, Long failed) {
    public static final TaskCounts ZERO = new TaskCounts(0L, 0L, 0L, 0L);
  }
}
