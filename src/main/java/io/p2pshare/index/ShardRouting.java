package io.p2pshare.index;

/**
 * The one routing function from a file name to its shard. Shards are addressed as entity ids
 * {@code shard-<k>} so they could later run under Cluster Sharding with the same ids.
 */
public final class ShardRouting {
  private final int shards;

  public ShardRouting(int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("index.shards must be at least 1, not " + shards);
    }
    this.shards = shards;
  }

  public int shards() {
    return shards;
  }

  /** The shard index of {@code name}: String.hashCode is specified, so this is stable across JVMs. */
  public int shardOf(String name) {
    int h = name.hashCode();
    h ^= (h >>> 16); // spread the high bits: names often differ only in their last digits
    h *= 0x45d9f3b;
    h ^= (h >>> 16);
    return Math.floorMod(h, shards);
  }

  public static String entityId(int shard) {
    return "shard-" + shard;
  }

  public String entityIdOf(String name) {
    return entityId(shardOf(name));
  }
}
