#!/bin/bash
# Benchmarks of cbd, each printed beside a reference measured in the same run
# (see README.md "Benchmarks"). Not a test: it prints figures and ratios.
#
#   tests/bench/run.sh [SECONDS]     (make bench runs it after building)
#
# 1. Durable creates: POST /api/v1/callbacks from 64 concurrent connections
#    (wrk), durability = full, next to a raw SQLite loop of one-row
#    transactions at the same durability on the same disk. Target >= 2x.
# 2. Search: GET /api/v1/callbacks (a page of 50, read from the store every
#    time) next to nginx serving the same bytes as a static file, same load
#    generator and connections. Target >= 0.3x.
# Also p50 / p99 latency and the server's resident memory.
#
# Last measured (5 runs, 2 shared cores): creates 17.7-21.5k/s beside raw
# 6.3-7.5k/s (2.7-3.4x); search 22.5-29.5k pages/s beside nginx 69-85k/s
# (0.27-0.41x, four of five at or over 0.3x); p50 2.0-2.7 ms, p99 5.2-6.1 ms.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-10}
conns=64
build=${CB_BUILD:-build}
cc -O2 -o "$build/sqlite_raw" tests/bench/sqlite_raw.c -lsqlite3
work=$(mktemp -d "$PWD/build/bench.XXXXXX")
cleanup() {
    [ -n "${cbd_pid:-}" ] && kill "$cbd_pid" 2>/dev/null || true
    [ -n "${nginx_pid:-}" ] && kill "$nginx_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

"$build/cbd" init --db "$work/cb.db" --demo >/dev/null
"$build/cbd" serve --db "$work/cb.db" --listen 127.0.0.1:0 --log-level warn \
    >"$work/out" 2>"$work/log" &
cbd_pid=$!
for _ in $(seq 100); do [ -s "$work/out" ] && break; sleep 0.05; done
url=$(awk '{print $4}' "$work/out")
token=$(curl -s -X POST "$url/api/v1/login" -d '{"user":"sup","password":"sup-demo"}' |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
export CBD_TOKEN=$token

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
# "Requests/sec: N" and the latency percentiles from wrk --latency
wrk_rate() { awk '/Requests\/sec/ {print $2}' "$1"; }
wrk_pct() { awk -v p="$2" '$1 == p {print $2}' "$1"; }

echo "== reference: raw SQLite one-row transactions (WAL, synchronous=FULL), ${secs}s"
"$build/sqlite_raw" "$work" "$secs" | tee "$work/raw"
raw=$(awk '{print $2}' "$work/raw")

echo "== cbd: durable POST /api/v1/callbacks, $conns connections, ${secs}s"
rss0=$(rss_kib $cbd_pid)
CBD_RUN=1 wrk -t2 -c$conns -d${secs}s --latency -s tests/bench/create.lua \
    "$url/api/v1/callbacks" >"$work/create" 2>&1
grep -E "Requests/sec|non2xx|50%|99%" "$work/create" || cat "$work/create"
create=$(wrk_rate "$work/create")

echo "== cbd: GET /api/v1/callbacks?bp=Support&limit=50, $conns connections, ${secs}s"
page="/api/v1/callbacks?bp=Support&limit=50"
curl -s -H "Authorization: Bearer $token" "$url$page" >"$work/page.json"
wrk -t2 -c$conns -d${secs}s --latency -s tests/bench/get.lua "$url$page" >"$work/get" 2>&1
grep -E "Requests/sec|non2xx|50%|99%" "$work/get" || cat "$work/get"
search=$(wrk_rate "$work/get")
rss1=$(rss_kib $cbd_pid)

echo "== reference: nginx serving the same $(wc -c <"$work/page.json") bytes as a static file"
mkdir -p "$work/www" "$work/nginx"
cp "$work/page.json" "$work/www/page.json"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx/pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx/tmp;
    proxy_temp_path $work/nginx/tmp;
    fastcgi_temp_path $work/nginx/tmp;
    uwsgi_temp_path $work/nginx/tmp;
    scgi_temp_path $work/nginx/tmp;
    default_type application/json;
    server { listen 127.0.0.1:$port; root $work/www; }
}
CONF
nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/page.json" >/dev/null && break; sleep 0.05; done
wrk -t2 -c$conns -d${secs}s --latency -s tests/bench/get.lua "http://127.0.0.1:$port/page.json" \
    >"$work/nginx.out" 2>&1
grep -E "Requests/sec|50%|99%" "$work/nginx.out" || cat "$work/nginx.out"
nginx_rate=$(wrk_rate "$work/nginx.out")

echo
echo "== summary"
printf '%-44s %12s\n' "raw SQLite one-row transactions/s" "$raw"
printf '%-44s %12s  (p50 %s, p99 %s)\n' "cbd durable creates/s ($conns conns)" "$create" \
    "$(wrk_pct "$work/create" 50%)" "$(wrk_pct "$work/create" 99%)"
printf '%-44s %12s  target >= 2.0\n' "  ratio to raw SQLite" \
    "$(python3 -c "print(f'{$create/$raw:.2f}')")"
printf '%-44s %12s  (p50 %s, p99 %s)\n' "cbd search pages/s ($conns conns)" "$search" \
    "$(wrk_pct "$work/get" 50%)" "$(wrk_pct "$work/get" 99%)"
printf '%-44s %12s\n' "nginx same bytes/s" "$nginx_rate"
printf '%-44s %12s  target >= 0.3\n' "  ratio to nginx" \
    "$(python3 -c "print(f'{$search/$nginx_rate:.2f}')")"
printf '%-44s %12s\n' "cbd RSS before / after (KiB)" "$rss0 / $rss1"
