package io.p2pshare.index;

/**
 * Marker for messages that cross index nodes in cluster mode: bound to Akka's
 * {@code jackson-cbor} serializer by {@link ClusterSettings#akkaConfig}. Single-process mode
 * never serializes anything.
 */
public interface ClusterSerializable {}
