#!/usr/bin/env bash
# Reference baseline for strong scaling: nginx serves the same files, curl downloads them
# (`curl -o FILE`, via a config file per worker, one keep-alive connection per worker) to the
# same disk at the same concurrency levels. Writes a JSON with the same level fields as
# `bench strong` so `bench sweep` and `plot` can compare.
#
# usage: bench/baseline.sh --dir SRC --files LIST --concurrency "1 2 4" --out OUT.json [--work-dir D] [--repeat R]
#   every level runs R times (default 3) and the run with the median throughput is kept: a few
#   hundred ms per level is easily skewed by one slow curl start on a busy machine.
#   LIST: one line per file: "NAME SIZE SHA256" (SHA256 "-" = check the size only)
# exit 0 ok, 1 failed, 2 usage, 3 skipped (nginx/curl missing and cannot be installed)
set -euo pipefail

dir="" files="" levels="1 2 4" out="" work="" repeat=3
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=$2; shift 2 ;;
    --files) files=$2; shift 2 ;;
    --concurrency) levels=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --work-dir) work=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    *) echo "usage: $0 --dir SRC --files LIST --concurrency \"1 2 4\" --out OUT.json [--work-dir D]" >&2; exit 2 ;;
  esac
done
if [ -z "$dir" ] || [ -z "$files" ] || [ -z "$out" ]; then
  echo "usage: $0 --dir SRC --files LIST --concurrency \"1 2 4\" --out OUT.json [--work-dir D]" >&2
  exit 2
fi
dir=$(cd "$dir" && pwd)
[ -n "$work" ] || work=$(mktemp -d "${TMPDIR:-/tmp}/p2pshare-baseline-XXXXXX")
mkdir -p "$work" "$(dirname "$out")"
work=$(cd "$work" && pwd)

skip() { echo "skipped: $*"; exit 3; }

nginx_bin=$(command -v nginx || true)
[ -n "$nginx_bin" ] || { [ -x /usr/sbin/nginx ] && nginx_bin=/usr/sbin/nginx; } || true
if [ -z "$nginx_bin" ] || ! command -v curl >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing nginx and curl from Debian packages"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx curl) >"$work/apt.log" 2>&1 \
      || skip "nginx/curl missing and apt-get install failed (see $work/apt.log)"
    nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
  else
    skip "nginx or curl missing and cannot install (need root and apt-get)"
  fi
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $((20000 + RANDOM % 30000))
}
port=$(free_port)
ngx="$work/nginx"
mkdir -p "$ngx/logs" "$ngx/tmp"
user_line=""
[ "$(id -u)" = 0 ] && user_line="user root;"
cat >"$ngx/nginx.conf" <<CONF
$user_line
worker_processes auto;
daemon off;
pid $ngx/nginx.pid;
error_log $ngx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 100000;
  client_body_temp_path $ngx/tmp;
  proxy_temp_path $ngx/tmp;
  fastcgi_temp_path $ngx/tmp;
  uwsgi_temp_path $ngx/tmp;
  scgi_temp_path $ngx/tmp;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$port;
    root $dir;
  }
}
CONF
"$nginx_bin" -p "$ngx" -c "$ngx/nginx.conf" >"$ngx/logs/stdout.log" 2>&1 &
ngx_pid=$!
cleanup() {
  kill "$ngx_pid" 2>/dev/null || true; wait "$ngx_pid" 2>/dev/null || true
  rm -rf "$work"/level-*
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/" && break
  kill -0 "$ngx_pid" 2>/dev/null || skip "nginx did not start: $(tail -1 "$ngx/logs/error.log" 2>/dev/null)"
  sleep 0.1
done
echo "nginx $("$nginx_bin" -v 2>&1 | sed 's/.*\///') on 127.0.0.1:$port serving $dir"

# One unrecorded pass over every file (to /dev/null), as our side warms up before its levels:
# nginx's first requests, and the files back in the page cache. This VM reclaims cold page
# cache within seconds (DAMON, kdamond), and nginx reading every file from disk took 0.24 s
# per level instead of 0.04-0.08 s (bench/README.md).
# The pass is repeated before every timed run (it takes a few milliseconds): our side's files
# stay hot between its levels too, since it fetches them all the time.
awk -v port="$port" '{ printf "url = \"http://127.0.0.1:%s/%s\"\noutput = \"/dev/null\"\n", port, $1 }' "$files" >"$work/warmup.curlrc"
warm() { curl -s -S --fail -K "$work/warmup.curlrc" >/dev/null 2>"$work/warmup.err" || echo "warning: warm-up pass had errors (see $work/warmup.err)" >&2; }
warm

nfiles=$(wc -l <"$files")
levels_json=""
# One timed run of level $1; prints "THROUGHPUT<TAB>LEVEL_JSON".
# Each run writes into a new directory and nothing is deleted until the end (as `bench strong`):
# on ext4 without a journal, creating files soon after deleting many is slow.
run_level() {
  local c=$1 lvl
  lvl=$(mktemp -d "$work/level-$1-XXXXXX"); mkdir -p "$lvl/out"
  # Round-robin split, as `bench strong` does: worker i gets files i, i+c, i+2c, ...
  awk -v c="$c" -v port="$port" -v out="$lvl/out" -v cfg="$lvl/worker" \
    '{ f = cfg "-" ((NR - 1) % c) ".curlrc";
       printf "url = \"http://127.0.0.1:%s/%s\"\noutput = \"%s/%s\"\n", port, $1, out, $1 > f }' "$files"
  local start end pids=() errors=0 failures=0 bytes=0 p f got
  warm
  start=$(date +%s%N)
  for cfg in "$lvl"/worker-*.curlrc; do
    curl -s -S --fail -K "$cfg" -w '%{time_total}\n' >"${cfg%.curlrc}.times" 2>"${cfg%.curlrc}.err" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || errors=$((errors + 1)); done
  end=$(date +%s%N)
  # Independent check after the timed window, as ours: size and SHA-256 of every file.
  while read -r name size sha; do
    f="$lvl/out/$name"
    if [ ! -f "$f" ]; then errors=$((errors + 1)); continue; fi
    got=$(stat -c %s "$f"); bytes=$((bytes + got))
    if [ "$got" != "$size" ]; then failures=$((failures + 1)); continue; fi
    if [ "$sha" != "-" ] && [ "$(sha256sum "$f" | cut -d' ' -f1)" != "$sha" ]; then failures=$((failures + 1)); fi
  done <"$files"
  cat "$lvl"/worker-*.times | sort -g | awk -v c="$c" -v n="$nfiles" -v bytes="$bytes" \
      -v nanos="$((end - start))" -v vf="$failures" -v err="$errors" '
    { v[NR] = $1 * 1000; s += v[NR]; ss += v[NR] * v[NR] }
    function pct(p,  k) { k = int(p / 100 * NR + 0.999999); if (k < 1) k = 1; if (k > NR) k = NR; return v[k] }
    END {
      secs = nanos / 1e9; mean = NR ? s / NR : 0; sd = NR > 1 ? sqrt((ss - NR * mean * mean) / (NR - 1)) : 0
      if (sd != sd) sd = 0
      tp = secs > 0 ? bytes / secs : 0
      printf "%d\t", tp
      printf "{\"concurrency\": %d, \"files\": %d, \"bytes\": %d, \"seconds\": %.3f, ", c, n, bytes, secs
      printf "\"throughput_bytes_per_second\": %d, ", tp
      printf "\"latency_ms\": {\"count\": %d, \"mean\": %.3f, \"stdev\": %.3f, \"min\": %.3f, \"max\": %.3f, ", NR, mean, sd, v[1], v[NR]
      printf "\"p50\": %.3f, \"p90\": %.3f, \"p99\": %.3f, \"p999\": %.3f}, ", pct(50), pct(90), pct(99), pct(99.9)
      printf "\"verification_failures\": %d, \"errors\": %d}\n", vf, err
    }'
}

for c in $levels; do
  runs=""
  for r in $(seq 1 "$repeat"); do
    runs="$runs$(run_level "$c")
"
  done
  # The median run by throughput (sort numerically on the first field).
  level=$(printf '%s' "$runs" | sed '/^$/d' | sort -n -k1,1 | awk -v m=$(( (repeat + 1) / 2 )) 'NR == m' | cut -f2-)
  echo "baseline c=$c: $level" | sed 's/"latency_ms".*"verification/"verification/'
  levels_json="${levels_json:+$levels_json,
    }$level"
done

commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
tmp="$out.tmp"
cat >"$tmp" <<JSON
{
  "benchmark": "strong_scaling",
  "mode": "baseline",
  "tool": "nginx+curl",
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "git_commit": "$commit",
  "machine": {"cores": $(nproc), "load_average": $(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo -1), "nginx": "$("$nginx_bin" -v 2>&1 | sed 's/.*\///')", "curl": "$(curl --version | head -1 | cut -d' ' -f2)"},
  "parameters": {"levels": [$(echo $levels | sed 's/ /, /g')], "files": $nfiles, "source_dir": "$dir",
    "client": "one curl process per worker, -K config of url/output pairs (curl -o FILE), keep-alive",
    "warmup": "an unrecorded curl pass over every file to /dev/null before every timed run",
    "server": "nginx, sendfile on, access log off",
    "split": "round-robin over workers, each worker sequential",
    "repeat": $repeat, "pick": "the run with the median throughput per level",
    "verification": "size and SHA-256 of every downloaded file, after the timed window"},
  "levels": [
    $levels_json
  ]
}
JSON
mv "$tmp" "$out"
echo "wrote $out"
