package io.p2pshare.bench;

/** One file of the download workload; {@code sha256} null means only the size is checked. */
public record FileSpec(String name, long size, String sha256) {}
