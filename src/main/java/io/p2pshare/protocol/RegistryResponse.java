package io.p2pshare.protocol;

import java.util.List;

/** REGISTRY_RESPONSE payload. */
public record RegistryResponse(
    String status,
    Integer registeredFiles,
    String token,
    Long heartbeatIntervalMs,
    Boolean replicationRequired,
    List<ReplicationTask> replicationTasks) {}
