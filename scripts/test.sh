#!/usr/bin/env bash
# The test command: install what is missing, run the unit tests (debug build), replay the fuzzers' seeds and a short
# fixed-seed fuzz pass of every loader (fuzz/ci.sh), then run every chapter end to end at the smoke scale on the same
# debug build, over the project's own small data fixtures (Tests/Fixtures/data).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build --build-tests
log="$(mktemp)"
swift test --skip-build --disable-swift-testing 2>&1 | tee "$log"
# XCTest's own count, kept for the closing line below (the later steps print a lot).
summary=$(grep -E "Executed [0-9]+ tests?, with [0-9]+ failures?" "$log" | tail -1)
bash fuzz/ci.sh
out="$(mktemp -d)"
trap 'rm -rf "$out" "$log"' EXIT
CONFIGURATION=debug bash scripts/reproduce.sh --scale smoke --out "$out" --data-dir Tests/Fixtures/data
executed=$(echo "$summary" | sed -E 's/.*Executed ([0-9]+) tests?.*/\1/')
failures=$(echo "$summary" | sed -E 's/.*with ([0-9]+) failures?.*/\1/')
echo "unit tests, fuzz replay and smoke run done; XCTest: $summary"
echo "tests: $((executed - failures)) passed, $failures failed"
