package io.p2pshare.bench;

/** One weak-scaling level: N clients, 10,000 × N searches in all. */
public record WeakLevel(
    int concurrency, long requests, double seconds, double requestsPerSecond,
    LatencyStats latencyMs, long errors) {}
