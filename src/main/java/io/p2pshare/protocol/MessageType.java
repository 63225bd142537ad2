package io.p2pshare.protocol;

/** Frame {@code type} values (PROTOCOL.md). */
public final class MessageType {
  public static final String REGISTRY_REQUEST = "REGISTRY_REQUEST";
  public static final String REGISTRY_RESPONSE = "REGISTRY_RESPONSE";
  public static final String SEARCH_REQUEST = "SEARCH_REQUEST";
  public static final String SEARCH_RESPONSE = "SEARCH_RESPONSE";
  public static final String HEARTBEAT = "HEARTBEAT";
  public static final String HEARTBEAT_RESPONSE = "HEARTBEAT_RESPONSE";
  public static final String REPLICATION_REPORT = "REPLICATION_REPORT";
  public static final String REPLICATION_REPORT_RESPONSE = "REPLICATION_REPORT_RESPONSE";
  public static final String UNREGISTER = "UNREGISTER";
  public static final String UNREGISTER_RESPONSE = "UNREGISTER_RESPONSE";
  public static final String STATS_REQUEST = "STATS_REQUEST";
  public static final String STATS_RESPONSE = "STATS_RESPONSE";
  public static final String REPLICATION_TASKS = "REPLICATION_TASKS";
  public static final String OBTAIN_REQUEST = "OBTAIN_REQUEST";
  public static final String OBTAIN_RESPONSE = "OBTAIN_RESPONSE";
  public static final String REPLICATE_REQUEST = "REPLICATE_REQUEST";
  public static final String REPLICATE_RESPONSE = "REPLICATE_RESPONSE";
  public static final String MANIFEST_REQUEST = "MANIFEST_REQUEST";
  public static final String MANIFEST_RESPONSE = "MANIFEST_RESPONSE";
  /** Reply type for a frame whose type could not be read at all. */
  public static final String ERROR = "ERROR";

  /** The reply type for a request type: {@code X_REQUEST → X_RESPONSE}, {@code X → X_RESPONSE}. */
  public static String responseFor(String requestType) {
    if (requestType == null) {
      return ERROR;
    }
    if (requestType.endsWith("_REQUEST")) {
      return requestType.substring(0, requestType.length() - "_REQUEST".length()) + "_RESPONSE";
    }
    return requestType + "_RESPONSE";
  }

  private MessageType() {}
}
