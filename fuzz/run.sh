#!/usr/bin/env bash
# Runs every fuzz harness (or the ones named) for a set time each, from the committed seeds in fuzz/corpus/<harness>/.
#
#   bash fuzz/run.sh                 # 60 s per harness
#   bash fuzz/run.sh 600             # 10 minutes per harness (the hand run)
#   bash fuzz/run.sh 120 json bpe    # only these
#
# Builds first (fuzz/build.sh). New inputs the fuzzer finds go to fuzz/.build/corpus/<harness>/ (not committed; they
# make the next run start further). A crash stops that harness and leaves its input in fuzz/.build/crashes/; turn it
# into a regression test (Tests/RobustnessTests) before fixing the code. Exit status 1 when any harness crashed.
# Each harness's last libFuzzer line (executions, coverage, exec/s) is printed, and the logs are kept in
# fuzz/.build/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
bash fuzz/build.sh "$@"
harnesses=("$@")
[ ${#harnesses[@]} -ne 0 ] || mapfile -t harnesses < <(bash fuzz/build.sh --list)
build=fuzz/.build
mkdir -p "$build/logs" "$build/crashes"
failed=()
for name in "${harnesses[@]}"; do
    mkdir -p "$build/corpus/$name"
    maxLength=4096
    [ "$name" = tokenizer_json ] && maxLength=16384
    dict="fuzz/dict/$name.dict"                      # a harness's own dictionary, else the JSON one
    [ -f "$dict" ] || dict=fuzz/dict/json.dict
    log="$build/logs/$name.log"
    echo "fuzz: $name for $seconds s"
    status=0
    # detect_leaks=0: the Swift runtime keeps metadata caches for the life of the process, which LeakSanitizer counts.
    # SWIFT_BACKTRACE=enable=no: libFuzzer and AddressSanitizer report the crash; the Swift backtracer would race them.
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}" "$build/$name" -max_total_time="$seconds" -max_len="$maxLength" \
        -dict="$dict" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$build/crashes/$name-" "$build/corpus/$name" "fuzz/corpus/$name" >"$log" 2>&1 || status=$?
    grep -E '^#[0-9]+' "$log" | tail -1 || true
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" | tr '\n' ' ' && echo
    if [ "$status" -ne 0 ]; then
        echo "fuzz: $name FAILED (status $status); see $log and $build/crashes/" >&2
        failed+=("$name")
    fi
done
if [ ${#failed[@]} -ne 0 ]; then
    echo "fuzz: crashes in ${failed[*]}" >&2
    exit 1
fi
echo "fuzz: no crash in ${harnesses[*]}"
