#!/usr/bin/env bash
# The CI's short fuzz pass, made deterministic so that CI never fails by chance: build every harness (ASan), replay
# every committed seed — every input that ever crashed a harness is among them — then a fixed-seed run of FUZZ_RUNS
# mutations each (default 2,000). Same build, same inputs, same result. The long, time-boxed runs are by hand:
# `bash fuzz/run.sh 600`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash fuzz/build.sh
build=fuzz/.build
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
mapfile -t harnesses < <(bash fuzz/build.sh --list)
for name in "${harnesses[@]}"; do
    maxLength=4096
    [ "$name" = tokenizer_json ] && maxLength=16384
    dict="fuzz/dict/$name.dict"                      # a harness's own dictionary, else the JSON one
    [ -f "$dict" ] || dict=fuzz/dict/json.dict
    mkdir -p "$scratch/$name"
    # New units go to the scratch folder (the first corpus folder), never into the committed seeds.
    if ! SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}" "$build/$name" -seed=1 \
        -runs="${FUZZ_RUNS:-2000}" -max_len="$maxLength" -dict="$dict" -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$scratch/$name-crash-" "$scratch/$name" "fuzz/corpus/$name" >"$scratch/$name.log" 2>&1; then
        tail -30 "$scratch/$name.log" >&2
        echo "fuzz: $name crashed; the input is above (artifact_prefix $scratch/$name-crash-)" >&2
        exit 1
    fi
    echo "fuzz: $name: $(grep -E '^#[0-9]+' "$scratch/$name.log" | tail -1 | cut -c1-90)"
done
echo "fuzz: no crash in ${harnesses[*]}"
