#!/usr/bin/env bash
# The CI's short fuzz pass: build every harness and run each for FUZZ_SECONDS (default 20) from the committed seeds.
# About 9 × 20 s of fuzzing after a build of 2–4 minutes on 2 cores. Any crash fails the run; its input is in
# fuzz/.build/crashes/. The long run by hand is `bash fuzz/run.sh 600`.
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash fuzz/run.sh "${FUZZ_SECONDS:-20}"
