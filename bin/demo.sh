#!/usr/bin/env bash
# make demo: an index and two headless peers on loopback with a small dataset; search, verified
# get, then everything stops. Needs target/p2pshare.jar (the Makefile builds it first).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
JAR=${P2P_JAR:-target/p2pshare.jar}
[ -f "$JAR" ] || { echo "error: $JAR not found; run 'make build'" >&2; exit 1; }
JAVA=(java ${JAVA_OPTS:-} -jar "$JAR")

work=$(mktemp -d "${TMPDIR:-/tmp}/p2pshare-demo.XXXXXX")
pids=()
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$rc" -ne 0 ]; then
    echo "demo failed (exit $rc); last log lines:" >&2
    tail -n 5 "$work"/*.log >&2 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { # first free port from $1 upwards
  local p=$1
  while ! port_free "$p"; do p=$((p + 1)); done
  echo "$p"
}
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local limit=$1 what=$2; shift 2
  for _ in $(seq 1 $((limit * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "error: timed out waiting for $what" >&2; return 1
}

INDEX_PORT=$(free_port 7000)
P1_PORT=$(free_port 7100)
P2_PORT=$(free_port $((P1_PORT + 1)))
INDEX=127.0.0.1:$INDEX_PORT
cat > "$work/config.json" <<JSON
{"server": {"host": "127.0.0.1", "port": $INDEX_PORT},
 "replication": {"heartbeat_interval_ms": 1000, "peer_expiry_ms": 5000},
 "logging": {"level": "WARN"},
 "data": {"base_dir": "$work/data",
          "file_generation": {"kb": {"count": 20, "size_bytes": 1024},
                              "mb": {"count": 3, "size_bytes": 1048576},
                              "gb": {"count": 0, "size_bytes": 0}}}}
JSON
CFG=(--config "$work/config.json")

echo "== dataset: 20 x 1 KiB + 3 x 1 MiB per peer in $work/data"
"${JAVA[@]}" generate --peer peer1 --sizes kb,mb "${CFG[@]}" --data-dir "$work/data"
"${JAVA[@]}" generate --peer peer2 --sizes kb,mb "${CFG[@]}" --data-dir "$work/data"

echo "== index on $INDEX"
"${JAVA[@]}" index "${CFG[@]}" --port "$INDEX_PORT" >"$work/index.log" 2>&1 &
pids+=($!)
wait_for 30 "the index" bash -c "exec 3<>/dev/tcp/127.0.0.1/$INDEX_PORT"

for p in 1 2; do
  port_var="P${p}_PORT"
  echo "== peer$p on 127.0.0.1:${!port_var}"
  "${JAVA[@]}" peer --peer "peer$p" --headless "${CFG[@]}" --data-dir "$work/data" \
    --port "${!port_var}" --index "$INDEX" >"$work/peer$p.out" 2>"$work/peer$p.log" &
  pids+=($!)
done
for p in 1 2; do wait_for 60 "peer$p" grep -q "serving on" "$work/peer$p.out"; done
wait_for 30 "peer2's files in the index" "${JAVA[@]}" search peer2_mb_0001.bin --index "$INDEX"

echo
echo "== search peer2_kb_0007.txt"
"${JAVA[@]}" search peer2_kb_0007.txt --index "$INDEX"

echo
echo "== get peer2_mb_0002.bin (verified piece by piece, renamed when complete)"
"${JAVA[@]}" get peer2_mb_0002.bin --index "$INDEX" --out "$work/got"
src_hash=$(sha256sum "$work/data/peer2/shared/peer2_mb_0002.bin" | cut -d' ' -f1)
got_hash=$(sha256sum "$work/got/peer2_mb_0002.bin" | cut -d' ' -f1)
echo "source     sha256 $src_hash"
echo "downloaded sha256 $got_hash"
[ "$src_hash" = "$got_hash" ] || { echo "error: hash check FAILED" >&2; exit 1; }
echo "hash check: OK"

echo
echo "== get --match peer1_kb_ (20 files over persistent connections)"
"${JAVA[@]}" get --match peer1_kb_ --index "$INDEX" --out "$work/got" | tail -n 1

echo
echo "== stopping (peers unregister, index unbinds)"
