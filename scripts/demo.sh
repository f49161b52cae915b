#!/bin/sh
# `make demo`: the whole product at once. Builds, creates a fresh demo
# database (DESIGN.md §5a), starts cbd, starts cbd-sim (virtual agents bob,
# dave and erin, callbacks scheduled as web requests would, calls reported as
# telephony would), and opens one tmux session with four titled panes: the
# supervisor dashboard (sup), an agent console for alice (Sales) and one for
# carol (Support) — a human's, receiving real offers among the virtual
# agents' — and the server's and simulator's log.
#
# Leaving the session (detach with C-b d, or quit the panes) stops
# everything the demo started; running it again starts afresh. The tmux
# server is a private one (-L cbd-demo), so a tmux you run is not touched.
#
#   CBD_DEMO_PORT   the port (default: a free one)
#   CBD_DEMO_RATE   callbacks cbd-sim schedules a minute (default 8)
set -eu
cd "$(dirname "$0")/.."
root=$PWD
dir=$root/build/demo
sock=cbd-demo
T() { tmux -L "$sock" "$@"; }

make -s all
mkdir -p "$dir"

session=demo-$$
cbd_pid="" sim_pid=""
# A demo whose terminal was closed may still run: stop what it started.
for f in "$dir/sim.pid" "$dir/cbd.pid"; do
    if [ -s "$f" ]; then
        pid=$(cat "$f")
        # only if that process is still ours (a pid can be reused)
        case "$(ps -p "$pid" -o comm= 2>/dev/null)" in
            cbd | cbd-sim) kill "$pid" 2>/dev/null || true ;;
        esac
    fi
    rm -f "$f"
done
T kill-server 2>/dev/null || true
# Leaving stops what this run started, and only that.
stop() {
    T kill-session -t "$session" 2>/dev/null || true
    [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
    [ -n "$cbd_pid" ] && kill "$cbd_pid" 2>/dev/null || true
    rm -f "$dir/sim.pid" "$dir/cbd.pid"
}
trap 'stop' EXIT
trap 'exit 130' INT TERM HUP

rm -f "$dir/demo.db" "$dir/demo.db-wal" "$dir/demo.db-shm" "$dir/cbd.log" "$dir/sim.log"
build/cbd init --db "$dir/demo.db" --demo >"$dir/init.txt"
printf 'erin-demo\n' | build/cbd user add --db "$dir/demo.db" erin --name "Erin Virtual" \
    --role agent --team "Support Team" --can-schedule --password-stdin >/dev/null
token=$(build/cbd token add --db "$dir/demo.db" --service telephony-sim | sed -n 's/.*(shown once): //p')

port=${CBD_DEMO_PORT:-0}
build/cbd serve --db "$dir/demo.db" --listen "127.0.0.1:$port" --log-level info \
    >"$dir/cbd.out" 2>"$dir/cbd.log" &
cbd_pid=$!
echo $cbd_pid >"$dir/cbd.pid"
url=""
for _ in $(seq 100); do
    url=$(sed -n 's/^cbd listening on //p' "$dir/cbd.out" 2>/dev/null)
    [ -n "$url" ] && break
    sleep 0.05
done
if [ -z "$url" ]; then
    echo "demo: cbd did not start:" >&2
    cat "$dir/cbd.log" >&2
    exit 1
fi

build/cbd-sim --server "$url" --agent bob --agent dave --agent erin --service-token "$token" \
    --callbacks-per-min "${CBD_DEMO_RATE:-8}" --calls-per-min 3 >"$dir/sim.log" 2>&1 &
sim_pid=$!
echo $sim_pid >"$dir/sim.pid"

# The panes: the supervisor over the whole top, the two agents below it,
# the log at the bottom.
cols=200 lines=60
if [ -t 1 ]; then
    cols=$(tput cols 2>/dev/null || echo 200)
    lines=$(tput lines 2>/dev/null || echo 60)
fi
console() { # NAME LOGIN PROGRAM
    printf 'env TERM=tmux-256color CB_PASSWORD=%s-demo %s/build/%s --server %s --user %s' \
        "$2" "$root" "$3" "$url" "$2"
}
T -f /dev/null new-session -d -s "$session" -x "$cols" -y "$lines" -n cbd "$(console sup sup cb-supervisor)"
T set -g mouse on
T set -g pane-border-status top
T set -g pane-border-format ' #{pane_title} '
T set -g status-left ' cbd demo '
T set -g status-right ' C-b d leaves and stops the demo · C-b o next pane '
T set -g status-right-length 60
T select-pane -t "$session":0.0 -T "Supervisor — sup (cb-supervisor)"
T split-window -v -t "$session":0.0 -p 55 "$(console alice alice cb-agent)"
T select-pane -t "$session":0.1 -T "Agent — alice, Sales (cb-agent)"
T split-window -h -t "$session":0.1 "$(console carol carol cb-agent)"
T select-pane -t "$session":0.2 -T "Agent — carol, Support (cb-agent)"
T split-window -v -f -t "$session":0 -l 8 "tail -n 50 -F '$dir/cbd.log' '$dir/sim.log'"
T select-pane -t "$session":0.3 -T "cbd and cbd-sim log"
T select-pane -t "$session":0.2

cat <<INFO
cbd demo at $url (database $dir/demo.db)
  panes: supervisor sup, agents alice (Sales) and carol (Support), the log
  users (password <login>-demo): alice bob carol dave erin, sup, admin;
  bob, dave and erin are virtual agents driven by cbd-sim
  C-b d (detach) leaves the demo and stops everything it started
INFO

if [ -t 0 ] && [ -t 1 ]; then
    T attach -t "$session" || true
else
    echo "no terminal here: attach from one with  tmux -L $sock attach -t $session"
    while T has-session -t "$session" 2>/dev/null; do sleep 1; done
fi
