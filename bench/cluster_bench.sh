#!/usr/bin/env bash
# Index cluster benchmark (issue 10): N = 1, 2, 3 index processes on this machine, all in
# cluster mode; NAMES names preloaded through node 1 (after the cluster is up, so the shards are
# spread before the first registration); v1bench against each node alone and all at once; then
# heap after a full GC on every node (jcmd), as the single-node figures in bench/README.md.
# Usage: bench/cluster_bench.sh [NAMES] [CLIENTS] [SECONDS]   (needs target/p2pshare.jar, gcc, jcmd)
set -uo pipefail
NAMES=${1:-100000}
CLIENTS=${2:-64}
SECS=${3:-5}
WIDTH=${#NAMES}
JAR=target/p2pshare.jar
OUT=${OUT:-/tmp/p2p-cluster-bench}
mkdir -p "$OUT" target
[ -x target/v1bench ] || gcc -O2 -o target/v1bench /work/shared/tools/v1bench.c
CTL=(17801 17802 17803)
NODE=(17901 17902 17903)
SEEDS=127.0.0.1:${NODE[0]}
# RF 1: one preload peer per name is then not "under-replicated", so the coordinator's mirror
# stays empty and the figures are the index alone (as in the single-node runs).
CFG="$OUT/bench-config.json"
echo '{"replication":{"replication_factor":1}}' > "$CFG"

heap_kib() { jcmd "$1" GC.run >/dev/null; jcmd "$1" GC.heap_info | awk '/garbage-first heap/ {for (i=1;i<=NF;i++) if ($i=="used") {gsub("K","",$(i+1)); print $(i+1)}}'; }

if [ -n "${SINGLE:-}" ]; then # the same measurement on plain single-process `index`, for comparison
  java -Xmx${XMX:-1g} -jar $JAR index --config "$CFG" --port ${CTL[0]} > "$OUT/single.log" 2>&1 &
  pid=$!
  sleep 4
  base=$(heap_kib $pid)
  java -cp $JAR io.p2pshare.index.IndexPreload 127.0.0.1:${CTL[0]} "peerA_kb_,$NAMES,1,$WIDTH" 5000 > "$OUT/single-preload.log" 2>&1 &
  pre=$!
  for ((t = 0; t < 600; t++)); do grep -q "registered in" "$OUT/single-preload.log" && break; sleep 1; done
  grep -h "registered in" "$OUT/single-preload.log"
  sleep 5
  echo "single load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo -n "single: "; target/v1bench 127.0.0.1 ${CTL[0]} $CLIENTS $SECS peerA_kb_ $NAMES $WIDTH
  used=$(heap_kib $pid)
  echo "single heap $used KiB, before preload $base KiB, per entry $(( (used - base) * 1024 / NAMES )) bytes"
  kill $pre $pid; wait 2>/dev/null || true
fi

for N in ${NS:-1 2 3}; do
  pids=()
  for ((i = 0; i < N; i++)); do
    echo "{\"replication\":{\"replication_factor\":1},\"index\":{\"cluster\":{\"min_members\":$N}}}" > "$OUT/n$N.json"
    java -Xmx${XMX:-1g} -jar $JAR index --config "$OUT/n$N.json" --port ${CTL[$i]} --cluster --node-port ${NODE[$i]} \
      --seed-nodes $SEEDS > "$OUT/n$N-node$i.log" 2>&1 &
    pids+=($!)
    sleep 2
  done
  # min_members N: no node is Up (no shard placed) before all N joined, so nothing moves later.
  # Akka logs membership at WARN+ only here: give the nodes time to join and take their shards.
  sleep ${SETTLE:-15}
  base=0
  for p in "${pids[@]}"; do base=$((base + $(heap_kib $p))); done
  java -cp $JAR io.p2pshare.index.IndexPreload 127.0.0.1:${CTL[0]} "peerA_kb_,$NAMES,1,$WIDTH" 5000 \
    > "$OUT/n$N-preload.log" 2>&1 &
  pre=$!
  for ((t = 0; t < 600; t++)); do grep -q "registered in" "$OUT/n$N-preload.log" && break; sleep 1; done
  grep -h "registered in" "$OUT/n$N-preload.log"
  sleep 5
  echo "N=$N load: $(cut -d' ' -f1-3 /proc/loadavg)"
  for ((i = 0; i < N; i++)); do
    echo -n "N=$N node$i alone: "; target/v1bench 127.0.0.1 ${CTL[$i]} $CLIENTS $SECS peerA_kb_ $NAMES $WIDTH
  done
  if [ "$N" -gt 1 ]; then
    par=()
    for ((i = 0; i < N; i++)); do
      target/v1bench 127.0.0.1 ${CTL[$i]} $((CLIENTS / N)) $SECS peerA_kb_ $NAMES $WIDTH > "$OUT/n$N-par$i.txt" &
      par+=($!)
    done
    wait "${par[@]}"
    echo "N=$N all nodes at once ($CLIENTS clients split):"; cat "$OUT"/n$N-par*.txt
  fi
  used=0
  for p in "${pids[@]}"; do h=$(heap_kib $p); echo "N=$N pid $p heap used after GC: $h KiB"; used=$((used + h)); done
  echo "N=$N heap total $used KiB, before preload $base KiB, per entry $(( (used - base) * 1024 / NAMES )) bytes"
  kill $pre "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
done
