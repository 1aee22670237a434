#!/usr/bin/env bash
# The test command: install what is missing, run the unit tests (debug build), replay the fuzzers' seeds and a short
# fixed-seed fuzz pass of every loader (fuzz/ci.sh), then run every chapter end to end at the smoke scale on the same
# debug build, over the project's own small data fixtures (Tests/Fixtures/data).
#
# Every step runs even when an earlier one fails, and the closing line counts tests, not assertions: each XCTest test
# case once (passed, failed or skipped), the fuzz replay as one step and the smoke chain as one step. The exit status
# is 0 only when nothing failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh || exit 1
swift build --build-tests || { echo "tests: 0 passed, 1 failed (the debug build)"; exit 1; }

log="$(mktemp)"
out="$(mktemp -d)"
trap 'rm -rf "$out" "$log"' EXIT

swift test --skip-build --disable-swift-testing 2>&1 | tee "$log"
xctest_status=${PIPESTATUS[0]}
# One line per test case: "Test Case 'Class.test' passed (…)", "failed (…)" or "skipped (…)".
count() { grep -cE "^Test Case '[^']+' $1 \(" "$log"; }
passed=$(count passed) failed=$(count failed) skipped=$(count skipped)
# A crash ends XCTest without a line for the test that was running: count the run itself as failed.
if [ "$xctest_status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
steps="XCTest: $passed passed, $failed failed, $skipped skipped"

if bash fuzz/ci.sh; then passed=$((passed + 1)); steps+="; fuzz replay: passed"
else failed=$((failed + 1)); steps+="; fuzz replay: FAILED"; fi

if CONFIGURATION=debug bash scripts/reproduce.sh --scale smoke --out "$out" --data-dir Tests/Fixtures/data; then
  passed=$((passed + 1)); steps+="; smoke chain: passed"
else failed=$((failed + 1)); steps+="; smoke chain: FAILED"; fi

echo
echo "$steps"
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
