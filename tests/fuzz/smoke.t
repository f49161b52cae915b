#!/bin/sh
# Runs every fuzz target of build/fuzz briefly over its committed seed corpus
# (tests/fuzz/corpus/NAME) and prints TAP. New inputs go to a scratch folder,
# so the committed corpus never changes. FUZZ_SMOKE_SECONDS per target.
cd "$(dirname "$0")/../.." || exit 1
secs=${FUZZ_SMOKE_SECONDS:-3}
set -- build/fuzz/fuzz_*
[ -e "$1" ] || { echo "1..0 # SKIP no fuzz targets built"; exit 0; }
echo "1..$#"
n=0
for bin in "$@"; do
    n=$((n + 1))
    name=$(basename "$bin")
    scratch=$(mktemp -d)
    log="$scratch/log"
    if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
            -artifact_prefix="$scratch/" "$scratch" "tests/fuzz/corpus/$name" >"$log" 2>&1; then
        echo "ok $n - $name ($(grep -o 'Done [0-9]* runs' "$log" | head -1))"
    else
        echo "not ok $n - $name"
        sed 's/^/# /' "$log" | tail -40
        for a in "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-*; do
            [ -e "$a" ] && echo "# input: $(od -An -c "$a" | head -5 | tr -s ' ')"
        done
    fi
    rm -rf "$scratch"
done
