package io.p2pshare.protocol;

/** REPLICATION_REPORT payload: status {@code done} or {@code failed}. */
public record ReplicationReport(String token, String taskId, String fileName, String status, String error) {
  public static final String DONE = "done";
  public static final String FAILED = "failed";

  public ReplicationReport {
    ProtocolException.require(token, "token");
    ProtocolException.require(taskId, "task_id");
    ProtocolException.require(status, "status");
    if (!DONE.equals(status) && !FAILED.equals(status)) {
      throw ProtocolException.badRequest("status must be done or failed");
    }
  }
}
