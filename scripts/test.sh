#!/usr/bin/env bash
# The test command: install what is missing, run the unit tests (debug build), then run every chapter end to end at
# the smoke scale on the same debug build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build --build-tests
swift test --skip-build
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
CONFIGURATION=debug bash scripts/reproduce.sh --scale smoke --out "$out"
