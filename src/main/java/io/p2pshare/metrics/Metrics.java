package io.p2pshare.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.p2pshare.protocol.StatsResponse;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The metrics of one process (index or peer) in its own registry: no static state, so tests and
 * several roles in one JVM never share counters. Create one per process, pass it to whoever
 * records, and expose it with {@link MetricsExporter} when {@code --metrics-port} is given.
 *
 * <p>Every hook is thread-safe and cheap (a pre-resolved data point, no lookup per call on the
 * hot paths), so stream stages may call them directly; they never block.
 */
public final class Metrics {
  /** Outcome of one search, the {@code result} label of {@code p2pshare_searches_total}. */
  public enum SearchResult { HIT, MISS, ERROR }

  /**
   * Why a server refused a connection or a request: the {@code reason} label of
   * {@code p2pshare_refusals_total}. One fixed set for the index and the peers.
   */
  public enum Refusal {
    /** The port's total connection cap was reached (BUSY). */
    CONNECTIONS_TOTAL,
    /** One remote address holds its share of connections already (BUSY). */
    CONNECTIONS_PER_ADDRESS,
    /** A request line was not finished within the header deadline (slow-loris): cut. */
    HEADER_DEADLINE,
    /** A request frame over the port's limit (FRAME_TOO_LARGE). */
    FRAME_TOO_LARGE,
    /** Unreadable or invalid request (BAD_REQUEST, UNKNOWN_TYPE), bad file names included. */
    BAD_REQUEST,
    /** Registration with more files than allowed. */
    TOO_MANY_FILES,
    /** Wrong or missing session token (UNAUTHORIZED). */
    UNAUTHORIZED,
    /** The upload cap was reached (BUSY on a transfer request). */
    UPLOADS_BUSY,
    /** A TLS port's handshake failed (a plain client, an untrusted certificate, garbage). */
    TLS_HANDSHAKE
  }

  /** Replication task states, the {@code state} label of {@code p2pshare_replication_tasks}. */
  public enum TaskState { QUEUED, RUNNING, DONE, FAILED }

  /** Latency buckets in seconds: 100 µs (an index lookup) up to 60 s (a large download). */
  static final double[] LATENCY_BOUNDS = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
    10, 30, 60
  };

  private final PrometheusRegistry registry = new PrometheusRegistry();

  private final GaugeDataPoint peersLive;
  private final GaugeDataPoint peersDead;
  private final Gauge files;
  private final Gauge entries;
  private final Gauge underReplicated;
  private final Map<TaskState, GaugeDataPoint> tasks = new java.util.EnumMap<>(TaskState.class);
  private final Map<SearchResult, CounterDataPoint> searches =
      new java.util.EnumMap<>(SearchResult.class);
  private final Counter bytesServed;
  private final Counter bytesReceived;
  private final Counter transferErrors;
  private final Map<Refusal, CounterDataPoint> refusals = new java.util.EnumMap<>(Refusal.class);
  private final Histogram latency;
  /** Most distinct label values per metric; past it, new values count as {@code other}. */
  static final int MAX_LABEL_VALUES = 32;

  // Request types and error kinds are small fixed sets; the cap keeps a caller that passes
  // untrusted text from growing the registry without bound.
  private final Map<String, DistributionDataPoint> latencyByType = new ConcurrentHashMap<>();
  private final Map<String, CounterDataPoint> errorsByKind = new ConcurrentHashMap<>();

  /** A registry holding every metric at zero, labelled with the process role and node id. */
  public Metrics(String role, String node) {
    Gauge info = Gauge.builder()
        .name("p2pshare_info")
        .help("Constant 1, labelled with the role (index or peer) and node id of this process")
        .labelNames("role", "node")
        .register(registry);
    info.labelValues(role, node).set(1);

    Gauge peers = Gauge.builder()
        .name("p2pshare_peers")
        .help("Peers known to the index, by liveness")
        .labelNames("state")
        .register(registry);
    peersLive = peers.labelValues("live");
    peersDead = peers.labelValues("dead");
    files = Gauge.builder()
        .name("p2pshare_files")
        .help("Distinct file names in the index (index) or files served (peer)")
        .register(registry);
    entries = Gauge.builder()
        .name("p2pshare_index_entries")
        .help("(file, holder) pairs in the index")
        .register(registry);
    underReplicated = Gauge.builder()
        .name("p2pshare_under_replicated_files")
        .help("Files with fewer live holders than the replication factor")
        .register(registry);
    Gauge taskGauge = Gauge.builder()
        .name("p2pshare_replication_tasks")
        .help("Replication tasks by state")
        .labelNames("state")
        .register(registry);
    for (TaskState s : TaskState.values()) {
      tasks.put(s, taskGauge.labelValues(label(s)));
    }
    Counter searchCounter = Counter.builder()
        .name("p2pshare_searches")
        .help("Searches answered, by result (hit: at least one live holder)")
        .labelNames("result")
        .register(registry);
    for (SearchResult r : SearchResult.values()) {
      searches.put(r, searchCounter.labelValues(label(r)));
    }
    bytesServed = Counter.builder()
        .name("p2pshare_served_bytes")
        .help("File bytes sent to other peers")
        .unit(Unit.BYTES)
        .register(registry);
    bytesReceived = Counter.builder()
        .name("p2pshare_received_bytes")
        .help("File bytes received from other peers (downloads and replicas)")
        .unit(Unit.BYTES)
        .register(registry);
    transferErrors = Counter.builder()
        .name("p2pshare_transfer_errors")
        .help("Failed transfers, by kind (e.g. verify, io, refused, timeout)")
        .labelNames("kind")
        .register(registry);
    Counter refusalCounter = Counter.builder()
        .name("p2pshare_refusals")
        .help("Connections and requests refused by a limit or a check, by reason")
        .labelNames("reason")
        .register(registry);
    for (Refusal r : Refusal.values()) {
      refusals.put(r, refusalCounter.labelValues(label(r)));
    }
    latency = Histogram.builder()
        .name("p2pshare_request_duration_seconds")
        .help("Time to answer a request, by request type")
        .unit(Unit.SECONDS)
        .labelNames("type")
        .classicOnly()
        .classicUpperBounds(LATENCY_BOUNDS)
        .register(registry);
  }

  /** The registry to expose (HTTP exporter) or to read directly in tests. */
  public PrometheusRegistry registry() {
    return registry;
  }

  // ---- index-wide gauges ----

  /** Sets every index gauge from a stats snapshot (what STATS_RESPONSE carries). */
  public void indexStats(StatsResponse stats) {
    peersLive.set(orZero(stats.peersLive()));
    peersDead.set(orZero(stats.peersDead()));
    files.set(orZero(stats.files()));
    entries.set(orZero(stats.entries()));
    underReplicated.set(orZero(stats.underReplicated()));
    StatsResponse.TaskCounts t = stats.tasks() == null ? StatsResponse.TaskCounts.ZERO : stats.tasks();
    tasks.get(TaskState.QUEUED).set(orZero(t.queued()));
    tasks.get(TaskState.RUNNING).set(orZero(t.running()));
    tasks.get(TaskState.DONE).set(orZero(t.done()));
    tasks.get(TaskState.FAILED).set(orZero(t.failed()));
  }

  public void peers(long live, long dead) {
    peersLive.set(live);
    peersDead.set(dead);
  }

  /** Index: distinct names; peer: files it serves. */
  public void files(long count) {
    files.set(count);
  }

  public void entries(long count) {
    entries.set(count);
  }

  public void underReplicated(long count) {
    underReplicated.set(count);
  }

  public void tasks(TaskState state, long count) {
    tasks.get(state).set(count);
  }

  // ---- counters and latency ----

  public void search(SearchResult result) {
    searches.get(result).inc();
  }

  public void bytesServed(long bytes) {
    if (bytes > 0) {
      bytesServed.inc(bytes);
    }
  }

  public void bytesReceived(long bytes) {
    if (bytes > 0) {
      bytesReceived.inc(bytes);
    }
  }

  /** One failed transfer; {@code kind} is a short fixed word (verify, io, refused, timeout). */
  public void transferError(String kind) {
    bounded(errorsByKind, kind, transferErrors::labelValues).inc();
  }

  /** One refused connection or request. */
  public void refusal(Refusal reason) {
    refusals.get(reason).inc();
  }

  /** How many refusals of {@code reason} so far (tests, logs). */
  public long refusals(Refusal reason) {
    return (long) refusals.get(reason).get();
  }

  /** One answered request of {@code type} (a PROTOCOL.md frame type) that took {@code nanos}. */
  public void requestLatency(String type, long nanos) {
    bounded(latencyByType, type, latency::labelValues).observe(nanos / 1e9);
  }

  private static <D> D bounded(Map<String, D> cache, String label,
      java.util.function.Function<String, D> create) {
    D d = cache.get(label);
    if (d != null) {
      return d;
    }
    String key = label == null || cache.size() >= MAX_LABEL_VALUES ? "other" : label;
    return cache.computeIfAbsent(key, k -> create.apply(k));
  }

  private static String label(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  private static double orZero(Number n) {
    return n == null ? 0 : n.doubleValue();
  }
}
