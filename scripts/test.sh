#!/usr/bin/env bash
# The test command: install what is missing, run the unit tests (debug build), replay the fuzzers' seeds and a short
# fixed-seed fuzz pass of every loader (fuzz/ci.sh), then run every chapter end to end at the smoke scale on the same
# debug build, over the project's own small data fixtures (Tests/Fixtures/data).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build --build-tests
swift test --skip-build
bash fuzz/ci.sh
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
CONFIGURATION=debug bash scripts/reproduce.sh --scale smoke --out "$out" --data-dir Tests/Fixtures/data
