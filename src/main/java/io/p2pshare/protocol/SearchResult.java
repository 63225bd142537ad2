package io.p2pshare.protocol;

/** One holder of a file. {@code file_name} is set for {@code contains} queries only. */
public record SearchResult(String peerId, PeerAddress peer, FileMeta meta, String fileName) {}
