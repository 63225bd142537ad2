package io.p2pshare.index;

import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The index's search read path on 10,000 names × 2 live holders, 16 shards, 2 threads: the
 * shard view lookup ({@code IndexView.exact}) and the whole exact answer as the connection
 * stream builds it ({@code SearchRouter.exact}). In the index's package to fill the view the way
 * its shard actors do (they are its only writers in the product). Ceiling:
 * {@code io.p2pshare.jmh.ShardLookupBench.concurrentHashMapCeiling}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@Threads(2)
@State(Scope.Benchmark)
public class IndexViewBench {
  public static final int NAMES = 10_000;
  private String[] names;
  private SearchQuery[] queries;
  private IndexView view;

  @Setup
  public void setUp() {
    ShardRouting routing = new ShardRouting(16);
    view = new IndexView(routing);
    PeerRecord p1 = new PeerRecord("peer1", new PeerRecord.Address("127.0.0.1", 7100));
    PeerRecord p2 = new PeerRecord("peer2", new PeerRecord.Address("127.0.0.1", 7101));
    p1.setLive(true);
    p2.setLive(true);
    String sha = "ab".repeat(32);
    names = new String[NAMES];
    queries = new SearchQuery[NAMES];
    for (int i = 0; i < NAMES; i++) {
      names[i] = String.format("peer1_kb_%05d.txt", i);
      queries[i] = SearchQuery.exact(names[i]);
      FileMeta meta = new FileMeta(1024L, sha);
      view.shardMap(routing.shardOf(names[i]))
          .put(names[i], new Holder[] {new Holder(p1, meta), new Holder(p2, meta)});
    }
  }

  /** Per-thread cursor so threads do not share a counter. */
  @State(Scope.Thread)
  public static class Cursor {
    int i;
  }

  @Benchmark
  public List<Holder> viewExact(Cursor c) {
    c.i = (c.i + 7919) % NAMES;
    return view.exact(names[c.i], queries[c.i]);
  }

  @Benchmark
  public SearchResponse routerExactAnswer(Cursor c) {
    c.i = (c.i + 7919) % NAMES;
    return SearchRouter.exact(view, queries[c.i]);
  }
}
