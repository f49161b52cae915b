#!/bin/sh
# Makes the README's pictures of the two consoles from the real programs
# (../shared/TESTING.md §2): a demo database served by cbd, cbd-sim driving
# traffic, each console in tmux at a fixed size, its screen captured with
# its colours, turned into HTML by aha and photographed by headless
# chromium. Needs: apt-get install aha chromium fonts-dejavu-core.
#
#   scripts/screenshots.sh      writes docs/cb-agent.png, docs/cb-supervisor.png
set -eu
cd "$(dirname "$0")/.."
root=$PWD
make -s all
work=$(mktemp -d)
T() { tmux -S "$work/sock" "$@"; }
cleanup() {
    T kill-server 2>/dev/null || true
    [ -n "${sim:-}" ] && kill "$sim" 2>/dev/null || true
    [ -n "${cbd:-}" ] && kill "$cbd" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
build/cbd init --db "$work/cb.db" --demo >/dev/null
printf 'erin-demo\n' | build/cbd user add --db "$work/cb.db" erin --name "Erin Virtual" \
    --role agent --team "Support Team" --can-schedule --password-stdin >/dev/null
build/cbd serve --db "$work/cb.db" --listen 127.0.0.1:0 >"$work/out" 2>"$work/log" &
cbd=$!
for _ in $(seq 100); do [ -s "$work/out" ] && break; sleep 0.05; done
url=$(sed -n 's/^cbd listening on //p' "$work/out")
build/cbd-sim --server "$url" --agent dave --agent erin --callbacks-per-min 40 --quiet &
sim=$!

wait_for() { # PANE TEXT SECONDS
    i=0
    while [ $i -lt $(($3 * 10)) ]; do
        T capture-pane -p -t "$1" | grep -q -- "$2" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    echo "screenshots: '$2' did not appear in $1" >&2
    return 1
}
shoot() { # PANE COLS ROWS PNG
    T capture-pane -p -e -N -t "$1" | aha --black --title "$4" >"$work/p.html"
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --user-data-dir="$work/chrome" --window-size="$(($2 * 8 + 24)),$(($3 * 17 + 16))" \
        --screenshot="$root/$4" "file://$work/p.html" >/dev/null 2>&1
    echo "wrote $4"
}

T -f /dev/null new-session -d -s agent -x 100 -y 30 \
    "TERM=tmux-256color CB_PASSWORD=carol-demo $root/build/cb-agent --server $url --user carol"
T new-session -d -s sup -x 120 -y 30 \
    "TERM=tmux-256color CB_PASSWORD=sup-demo $root/build/cb-supervisor --server $url --user sup"
wait_for agent connected 10
sleep 20 # let the virtual agents take the first callbacks, so that carol is offered one
T send-keys -t agent r
T send-keys -t agent p
wait_for agent OFFERED 90
sleep 1
shoot agent 100 30 docs/cb-agent.png
wait_for sup "live" 10
shoot sup 120 30 docs/cb-supervisor.png
T send-keys -t sup Down Enter Tab Tab Tab
wait_for sup "with agents" 10
sleep 1
shoot sup 120 30 docs/cb-supervisor-current.png
