package io.p2pshare.protocol;

import java.util.List;

/** HEARTBEAT_RESPONSE payload, and the REPLICATION_TASKS push. */
public record TasksResponse(String status, List<ReplicationTask> replicationTasks) {
  public static TasksResponse ok(List<ReplicationTask> tasks) {
    return new TasksResponse(Status.OK, tasks);
  }
}
