#!/bin/bash
# Event streams benchmark (issue 4): server memory per idle event stream and
# the time for one event to reach every stream. Not a test: it prints
# figures against the target (<= 10 KiB per idle stream above the idle
# server, with 10,000 streams open).
#
#   tests/bench/streams.sh [N]        (default 10000; loopback only)
#
# Starts its own cbd on a fresh demo database (127.0.0.1, port picked by the
# kernel), logs in as agent alice (whose token opens the streams) and as sup
# (who stops BP Support to publish one "bp" event to everyone), then runs
# tests/bench/streams.c. CB_BUILD selects the build (default build/).
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-10000}
build=${CB_BUILD:-build}
[ -x "$build/cbd" ] || { echo "streams.sh: build $build/cbd first (make)" >&2; exit 1; }
cc -O2 -Wall -Wextra -o "$build/bench_streams" tests/bench/streams.c
work=$(mktemp -d "$PWD/build/bench.XXXXXX")
cleanup() {
    [ -n "${cbd_pid:-}" ] && kill "$cbd_pid" 2>/dev/null && wait "$cbd_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"

"$build/cbd" init --db "$work/cb.db" --demo >/dev/null
"$build/cbd" serve --db "$work/cb.db" --listen 127.0.0.1:0 --log-level warn \
    --durability normal >"$work/out" 2>"$work/log" &
cbd_pid=$!
for _ in $(seq 100); do [ -s "$work/out" ] && break; sleep 0.05; done
url=$(awk '{print $4}' "$work/out")
port=${url##*:}
login() {
    curl -s -X POST "$url/api/v1/login" -d "{\"user\":\"$1\",\"password\":\"$1-demo\"}" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
agent=$(login alice)
sup=$(login sup)

echo "== $n idle event streams (agent alice) on $url; descriptor limit $(ulimit -n)"
status=0
"$build/bench_streams" 127.0.0.1 "$port" "$cbd_pid" "$agent" "$sup" "$n" || status=$?
t0=$(date +%s.%N)
kill -TERM "$cbd_pid"
wait "$cbd_pid" || true
t1=$(date +%s.%N)
cbd_pid=
printf "graceful shutdown with the streams just closed: %.2f s\n" "$(echo "$t1 - $t0" | bc)"
exit $status
