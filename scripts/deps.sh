#!/bin/sh
# Installs the Debian packages a step needs, and nothing when all are there.
#
#   scripts/deps.sh build   compile cbd, cb-agent, cb-supervisor
#   scripts/deps.sh test    build + everything `make check` runs
#   scripts/deps.sh demo    build + what the demo runs (tmux)
#   scripts/deps.sh bench   what the benchmarks run (wrk, nginx)
#
# As root it runs apt-get itself; otherwise it prints the exact apt-get line
# and fails, so nothing half-installs behind the user's back.
set -eu

build="make gcc pkg-config libmicrohttpd-dev libsqlite3-dev libcjson-dev
libcurl4-openssl-dev libncurses-dev libnotify-dev libsodium-dev tzdata"
test="$build clang libclang-rt-14-dev perl python3 mandoc tmux sqlite3 curl
dbus dbus-x11 xvfb dunst libnotify-bin procps faketime"
demo="$build tmux curl procps"
bench="wrk nginx-light"

case "${1:-build}" in
    build) want=$build ;;
    test)  want=$test ;;
    demo)  want=$demo ;;
    bench) want=$bench ;;
    *) echo "usage: $0 build|test|demo|bench" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in
        *" installed") ;;
        *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0

line="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
    echo "cbd needs these Debian packages:$missing" >&2
    echo "run as root:  apt-get update && $line" >&2
    exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
