#!/bin/sh
# `make demo`: builds cbd, creates a fresh demo database (DESIGN.md §5a) and
# serves it on 127.0.0.1 until Ctrl-C. The consoles join the demo as they
# land; today it is the server and its API.
set -eu
cd "$(dirname "$0")/.."
make -s all
dir=build/demo
mkdir -p "$dir"
rm -f "$dir/demo.db" "$dir/demo.db-wal" "$dir/demo.db-shm"
build/cbd init --db "$dir/demo.db" --demo | tee "$dir/init.txt"
port=${CBD_DEMO_PORT:-8080}
cat <<INFO

Demo users (password: <login>-demo): agents alice, bob (Sales), carol, dave
(Support); supervisor sup; admin admin.

Try, in another terminal:
  curl -s -X POST http://127.0.0.1:$port/api/v1/login -d '{"user":"sup","password":"sup-demo"}'
  curl -s -H "Authorization: Bearer TOKEN" 'http://127.0.0.1:$port/api/v1/callbacks?bp=Sales&limit=5'

Ctrl-C stops the server.
INFO
exec build/cbd serve --db "$dir/demo.db" --listen "127.0.0.1:$port"
