#!/bin/bash
# Engine benchmark (issue 4): full callback lifecycles per second with N
# virtual agents, and the offer latency. Not a test: it prints figures next
# to the targets (>= 1,000 lifecycles/s with 1,000 agents on a 2-core
# machine; offer latency p99 < 10 ms), whatever they are.
#
#   tests/bench/engine.sh [N] [WINDOW_S]      (default 1000 agents, 20 s)
#
# Environment: CB_BUILD selects the build (default build/); CB_CFLAGS adds
# compiler flags for the generator (e.g. -fsanitize=address); CB_DURABILITY
# "full normal" (the default) or one of them; CB_LATENCY_S the length of
# the latency phase (default 10 s); CB_TEAMS=K (2..64) spreads the agents
# over K teams "Bench Team NN" serving Support instead of all in the Support
# Team (a callback's events go to its team's streams: K shows what that
# fan-out costs); CB_PERF=1 records a profile of cbd
# during the window of the first run (perf record -g) and prints its top
# (CB_PERF_WHAT=agents: of the load generator instead); CB_MONITOR=1 adds
# 198 business processes (200 in all) and watches the whole run from a real
# cb-supervisor in tmux (160x50) on the Business Process Monitor, then says
# what it cost: its CPU, the callback events it took, and the bytes it sent
# its terminal per second next to what repainting the whole screen five
# times a second would send (issue 6: smooth with 200 BPs and the events of
# 1,000 busy agents; redraw a few times a second, only what changed).
#
# For each durability: a fresh copy of a demo database to which N agents
# bench0000.. were added in the Support Team (one `cbd user add`, then its
# row copied with the same password hash by SQLite, so the N logins cost the
# server's password hashing only once each, before anything is measured);
# `cbd serve` on 127.0.0.1 with a port picked by the kernel; then
# tests/bench/agents.c (libcurl multi, one process) drives the agents and a
# supervisor creating team callbacks due now. Loopback only; every phase is
# bounded in time and the script stops what it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-1000}
window=${2:-20}
latency_s=${CB_LATENCY_S:-10}
durabilities=${CB_DURABILITY:-full normal}
teams=${CB_TEAMS:-1}
if [ "$teams" -lt 1 ] || [ "$teams" -gt 64 ]; then
    echo "engine.sh: CB_TEAMS is 1..64" >&2
    exit 1
fi
build=${CB_BUILD:-build}
[ -x "$build/cbd" ] || { echo "engine.sh: build $build/cbd first (make)" >&2; exit 1; }
# shellcheck disable=SC2046,SC2086 # the flags split into words on purpose
cc -O2 -Wall -Wextra ${CB_CFLAGS:-} -o "$build/bench_agents" tests/bench/agents.c \
    $(pkg-config --cflags --libs libcurl libcjson)
work=$(mktemp -d "$PWD/build/bench.XXXXXX")
cbd_pid=
perf_pid=
cleanup() {
    tmux -S "$work/tmux" kill-server 2>/dev/null || true
    if [ -n "$perf_pid" ]; then
        kill -INT "$perf_pid" 2>/dev/null || true
        wait "$perf_pid" 2>/dev/null || true
    fi
    if [ -n "$cbd_pid" ]; then
        kill "$cbd_pid" 2>/dev/null || true
        wait "$cbd_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"

password=bench-password
"$build/cbd" init --db "$work/base.db" --demo >/dev/null
printf '%s\n' "$password" | "$build/cbd" user add --db "$work/base.db" bench0000 \
    --name "Bench Agent 0000" --role agent --team "Support Team" --password-stdin >/dev/null
team_args=()
if [ "$teams" = 1 ]; then
    team_args=(--team "Support Team")
else
    for t in $(seq -f %02g 0 $((teams - 1))); do
        "$build/cbd" team add --db "$work/base.db" "Bench Team $t" --bp Support >/dev/null
        team_args+=(--team "Bench Team $t")
    done
fi
python3 - "$work/base.db" "$n" "$teams" <<'PY'
import sqlite3, sys
db, n, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = sqlite3.connect(db)
if k == 1:
    teams = [c.execute("SELECT id FROM teams WHERE name = 'Support Team'").fetchone()[0]]
else:
    teams = [c.execute("SELECT id FROM teams WHERE name = ?", ("Bench Team %02d" % t,)).fetchone()[0]
             for t in range(k)]
with c:
    for i in range(1, n):
        c.execute("INSERT INTO users (login, name, role, password_hash, can_schedule, created_at)"
                  " SELECT ?, ?, role, password_hash, can_schedule, created_at FROM users"
                  " WHERE login = 'bench0000'", ("bench%04d" % i, "Bench Agent %04d" % i))
    c.execute("DELETE FROM team_members WHERE user_id IN"
              " (SELECT id FROM users WHERE login LIKE 'bench%')")
    for i in range(n):
        c.execute("INSERT INTO team_members (team_id, user_id) SELECT ?, id FROM users"
                  " WHERE login = ?", (teams[i % k], "bench%04d" % i))
got = c.execute("SELECT count(*) FROM team_members JOIN users ON users.id = user_id"
                " WHERE login LIKE 'bench%'").fetchone()[0]
assert got == n, got
c.close()
PY
if [ "${CB_MONITOR:-0}" = 1 ]; then
    python3 - "$work/base.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
with c:
    for i in range(3, 201):
        c.execute("INSERT INTO bps (name, tz, routing, timing) SELECT ?, tz, routing, timing FROM bps"
                  " WHERE name = 'Support'", ("BP %03d" % i,))
print("%d business processes" % c.execute("SELECT count(*) FROM bps").fetchone()[0])
c.close()
PY
fi
monitor_start() { # URL
    [ "${CB_MONITOR:-0}" = 1 ] || return 0
    tmux -S "$work/tmux" -f /dev/null new-session -d -s mon -x 160 -y 50 \
        "TERM=tmux-256color CB_PASSWORD=sup-demo exec $PWD/$build/cb-supervisor --server $1 --user sup"
    tmux -S "$work/tmux" pipe-pane -t mon -o "cat > '$work/term.bytes'"
    for _ in $(seq 100); do
        tmux -S "$work/tmux" capture-pane -p -t mon | grep -q "live" && break
        sleep 0.1
    done
    # sorted by Proc, highest first: the busy business process on top
    tmux -S "$work/tmux" send-keys -t mon '>' '>' i
    mon_pid=$(tmux -S "$work/tmux" display -p -t mon '#{pane_pid}')
    mon_t0=$(date +%s.%N)
    mon_cpu0=$(awk '{print $14 + $15}' "/proc/$mon_pid/stat")
    mon_bytes0=$(stat -c %s "$work/term.bytes" 2>/dev/null || echo 0)
}
monitor_report() {
    [ "${CB_MONITOR:-0}" = 1 ] || return 0
    local t1 cpu1 bytes1 secs tck
    t1=$(date +%s.%N)
    cpu1=$(awk '{print $14 + $15}' "/proc/$mon_pid/stat")
    bytes1=$(stat -c %s "$work/term.bytes")
    tck=$(getconf CLK_TCK)
    tmux -S "$work/tmux" capture-pane -p -t mon | head -6
    tmux -S "$work/tmux" kill-server
    python3 - "$mon_t0" "$t1" "$mon_cpu0" "$cpu1" "$mon_bytes0" "$bytes1" "$tck" <<'PY'
import sys
t0, t1, c0, c1, b0, b1, tck = map(float, sys.argv[1:])
secs = t1 - t0
full = 160 * 50 * 5  # a whole 160x50 screen five times a second, one byte a cell
print("monitor: cb-supervisor over %.1f s: CPU %.1f%% of a core; terminal %.0f bytes/s, "
      "%.3f of repainting everything 5 times a second (%d bytes/s)"
      % (secs, 100 * (c1 - c0) / tck / secs, (b1 - b0) / secs, (b1 - b0) / secs / full, full))
PY
}

run_no=0
summary=()
for durability in $durabilities; do
    run_no=$((run_no + 1))
    cp "$work/base.db" "$work/cb.db"
    rm -f "$work/cb.db-wal" "$work/cb.db-shm"
    "$build/cbd" serve --db "$work/cb.db" --listen 127.0.0.1:0 --log-level warn \
        --grace-s 3600 --durability "$durability" >"$work/out" 2>"$work/log" &
    cbd_pid=$!
    for _ in $(seq 100); do [ -s "$work/out" ] && break; sleep 0.05; done
    url=$(awk '{print $4}' "$work/out")
    [ -n "$url" ] || { cat "$work/log" >&2; exit 1; }
    echo
    echo "== durability $durability: cbd on $url (pid $cbd_pid), $(nproc) cores," \
        "load average $(cut -d' ' -f1-3 /proc/loadavg) before the run"
    status=0
    "$build/bench_agents" --url "$url" --pid "$cbd_pid" --agents "$n" --window "$window" \
        --latency-s "$latency_s" --password "$password" --run "$run_no" "${team_args[@]}" \
        >"$work/agents.out" 2>"$work/agents.err" &
    agents_pid=$!
    monitor_start "$url"
    if [ "${CB_PERF:-0}" = 1 ] && [ "$run_no" = 1 ] && command -v perf >/dev/null; then
        # the generator says when the window starts (after the logins)
        for _ in $(seq 3000); do
            grep -q READY_FOR_PERF "$work/agents.err" 2>/dev/null && break
            kill -0 "$agents_pid" 2>/dev/null || break
            sleep 0.1
        done
        perf_target=$cbd_pid
        [ "${CB_PERF_WHAT:-cbd}" = agents ] && perf_target=$agents_pid
        perf record -g -o "$work/perf.data" -p "$perf_target" -- sleep "$window" \
            >/dev/null 2>"$work/perf.err" &
        perf_pid=$!
    fi
    wait "$agents_pid" || status=$?
    monitor_report
    if [ -n "$perf_pid" ]; then
        wait "$perf_pid" 2>/dev/null || true
        perf_pid=
    fi
    cat "$work/agents.out"
    grep -v READY_FOR_PERF "$work/agents.err" >&2 || true
    if [ -s "$work/log" ]; then
        echo "server log (warnings, first 10 lines):"
        head -10 "$work/log"
    fi
    kill "$cbd_pid" 2>/dev/null || true
    wait "$cbd_pid" 2>/dev/null || true
    cbd_pid=
    [ "$status" = 0 ] || { echo "engine.sh: bench_agents failed ($status)" >&2; exit "$status"; }
    summary+=("$durability $(grep '^RESULT' "$work/agents.out" | cut -d' ' -f2-)")
    if [ -s "$work/perf.data" ]; then
        echo "== perf profile of ${CB_PERF_WHAT:-cbd} during the window: self time, then with callees"
        perf report -i "$work/perf.data" --no-children --stdio --percent-limit 1 \
            --sort comm,dso,sym 2>/dev/null | grep -E '^ +[0-9.]+%' | head -25 || true
        echo "--"
        perf report -i "$work/perf.data" --children --stdio --percent-limit 5 \
            --sort comm,dso,sym 2>/dev/null | grep -E '^ +[0-9.]+%' | head -25 || true
        rm -f "$work/perf.data"
    fi
done

echo
echo "== summary ($n agents in $teams team(s), ${window}s window)"
printf '%-10s %13s %22s %22s %9s %11s %8s %9s %9s\n' durability "lifecycles/s" \
    "saturated offer p50/99" "idle-agent offer p50/99" "RSS KiB" "cmds/commit" "cbd CPU" "gen CPU" \
    "others"
for line in "${summary[@]}"; do
    d=${line%% *}
    kv() { printf '%s\n' "$line" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'; }
    pair() {
        if [ "$(kv "$1")" = -1.00 ]; then echo n/a; else echo "$(kv "$1") / $(kv "$2") ms"; fi
    }
    printf '%-10s %13s %22s %22s %9s %11s %8s %9s %9s\n' "$d" "$(kv lifecycles_per_s)" \
        "$(pair reoffer_p50_ms reoffer_p99_ms)" "$(pair offer_p50_ms offer_p99_ms)" \
        "$(kv rss1_kib)" "$(kv commands_per_commit)" "$(kv server_cpu_pct)%" \
        "$(kv client_cpu_pct)%" "$(kv other_cpu_pct)%"
done
echo "(CPU in % of one core over the window; \"others\": the rest of the machine's processes)"
echo "targets: >= 1000 lifecycles/s with 1000 agents; offer latency p99 < 10 ms"
