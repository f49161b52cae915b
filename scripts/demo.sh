#!/bin/sh
# `make demo`: builds the suite and starts the demo. It grows as the server
# and the consoles land; today it builds the three programs and shows what
# they are.
set -eu
cd "$(dirname "$0")/.."
make -s all
for p in cbd cb-agent cb-supervisor; do
    build/$p --version
done
echo
echo "The server and the consoles are being built; see README.md for the plan."
