#!/usr/bin/env bash
# Same file, same disk, same run: our verified `get` against `curl -o FILE` from nginx.
# Starts its own index + one peer on free loopback ports (peer heap -Xmx128m, get -Xmx128m),
# generates the dataset, runs each side REPEAT times (default 3) and prints the medians and ratio.
# Before that, WARMUP unrecorded gets (default 2) warm the serving peer, a long-running server
# whose JIT would otherwise compile during the first timed runs (as the strong job warms up);
# every timed get is still a fresh JVM, as a user's one-shot command is.
# usage: bench/get_vs_curl.sh [--sizes gb] [--name peer2_gb_0001.bin] [--repeat 3] [--warmup 2] [--work DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
sizes=gb name=peer2_gb_0001.bin repeat=3 warmup=2 work=""
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;; --name) name=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;; --work) work=$2; shift 2 ;; --warmup) warmup=$2; shift 2 ;;
    *) echo "usage: $0 [--sizes gb] [--name FILE] [--repeat N] [--warmup N] [--work DIR]" >&2; exit 2 ;;
  esac
done
JAR=target/p2pshare.jar
[ -f "$JAR" ] || { echo "error: build first (make build)" >&2; exit 1; }
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { [ "$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq nginx curl >/dev/null; } \
  || { echo "skipped: nginx not available"; exit 3; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -n "$work" ] || work=$(mktemp -d /tmp/p2pshare-gvc.XXXXXX)
mkdir -p "$work"; work=$(cd "$work" && pwd)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
IP=$(free_port); PP=$(free_port); NP=$(free_port)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; }
trap cleanup EXIT
cat > "$work/config.json" <<JSON
{"server": {"host": "127.0.0.1", "port": $IP}, "logging": {"level": "WARN"},
 "data": {"base_dir": "$work/data"}}
JSON
java -jar "$JAR" generate --peer peer2 --sizes "$sizes" --config "$work/config.json" >/dev/null
java -jar "$JAR" index --config "$work/config.json" >"$work/index.log" 2>&1 & pids+=($!)
sleep 2
java -Xmx128m -jar "$JAR" peer --peer peer2 --headless --port "$PP" --config "$work/config.json" >"$work/peer.log" 2>&1 & pids+=($!)
for _ in $(seq 1 120); do java -jar "$JAR" search "$name" --index "127.0.0.1:$IP" >/dev/null 2>&1 && break; sleep 1; done
src="$work/data/peer2/shared"
cat > "$work/nginx.conf" <<CONF
$( [ "$(id -u)" = 0 ] && echo "user root;" )
worker_processes 1; daemon on; pid $work/nginx.pid; error_log $work/nginx.err;
events { worker_connections 64; }
http { access_log off; sendfile on; client_body_temp_path $work; proxy_temp_path $work;
  fastcgi_temp_path $work; uwsgi_temp_path $work; scgi_temp_path $work;
  server { listen 127.0.0.1:$NP; root $src; } }
CONF
"$NGINX" -c "$work/nginx.conf" -p "$work"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for i in $(seq 1 "$warmup"); do
  rm -rf "$work/warm"; mkdir -p "$work/warm"
  java -Xmx128m -jar "$JAR" get "$name" --index "127.0.0.1:$IP" --out "$work/warm" --json >/dev/null
done
rm -rf "$work/warm"
ours=() theirs=()
for i in $(seq 1 "$repeat"); do
  rm -rf "$work/out"; mkdir -p "$work/out"; sync
  s=$(java -Xmx128m -jar "$JAR" get "$name" --index "127.0.0.1:$IP" --out "$work/out" --json \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')
  ours+=("$s")
  rm -rf "$work/out"; mkdir -p "$work/out"; sync
  t=$(curl -s -o "$work/out/$name" -w '%{time_total}' "http://127.0.0.1:$NP/$name")
  theirs+=("$t")
done
size=$(stat -c %s "$src/$name")
o=$(printf '%s\n' "${ours[@]}" | median); c=$(printf '%s\n' "${theirs[@]}" | median)
python3 - "$size" "$o" "$c" "${ours[*]}" "${theirs[*]}" <<'PY'
import sys
size, o, c = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
mib = size / 2**20
print(f"file {mib:.0f} MiB; get (verified, -Xmx128m both ends) runs: {sys.argv[4]} s; curl -o runs: {sys.argv[5]} s")
print(f"median: get {mib/o:.1f} MiB/s, nginx+curl {mib/c:.1f} MiB/s, ratio {c/o:.2f}")
PY
