#!/bin/sh
# `make fuzz`: runs each fuzz target given for FUZZ_SECONDS (default 60),
# growing a working corpus under build/fuzz/corpus/NAME seeded from the
# committed tests/fuzz/corpus/NAME. Stops at the first crash.
set -eu
secs=${FUZZ_SECONDS:-60}
for bin in "$@"; do
    name=$(basename "$bin")
    work="build/fuzz/corpus/$name"
    mkdir -p "$work"
    echo "== $name for ${secs}s"
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="build/fuzz/$name-" "$work" "tests/fuzz/corpus/$name"
done
