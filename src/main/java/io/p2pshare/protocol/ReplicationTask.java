package io.p2pshare.protocol;

/** One file a peer should copy into its {@code replicated/} directory, and from where. */
public record ReplicationTask(
    String taskId, String fileName, Long sizeBytes, String sha256, PeerAddress source) {}
