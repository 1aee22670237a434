#!/usr/bin/env bash
# Reproduce the book: install what is missing, fetch and check the data sets, build in release, run every chapter in order.
#   bash scripts/reproduce.sh                 # the course scale (default; REPRODUCE.md, "Course plan", gives its time)
#   bash scripts/reproduce.sh --scale smoke   # seconds; any chapter option is passed through
#   DATA_MIRROR=<URL or folder> bash scripts/reproduce.sh   # the data sets from a mirror (REPRODUCE.md, "The data step")
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
configuration="${CONFIGURATION:-release}"
# The data step first, built alone so a missing data set stops the run before the long build: fetch what is missing,
# check every file, place it (tools/fetch-data). It takes the chapters' options; only --data-dir matters to it.
swift build -c "$configuration" --product fetch-data
"$(swift build -c "$configuration" --show-bin-path)/fetch-data" "$@"
swift build -c "$configuration"
bin="$(swift build -c "$configuration" --show-bin-path)"
# The BLAS kernels (Sources/Tensor/BLASCore.swift): where OpenBLAS does not know this CPU and falls back to older
# kernels, bench checks the family the CPU is made for and prints its exports for every chapter. An OPENBLAS_CORETYPE
# you set is respected (REPRO_BLAS_CORE=best chooses over it); REPRO_BLAS_CORE=as-found (the test command) leaves all be.
if [ "${REPRO_BLAS_CORE:-auto}" != as-found ]; then
  blas_exports="$("$bin/bench" --blas-core-exports)"
  eval "$blas_exports"
fi
# The chapters in reading order, as the book itself lists them (Sources/Book/Chapter.swift).
mapfile -t chapters < <("$bin/inspect" chapters)
[ ${#chapters[@]} -gt 0 ] || { echo "reproduce: $bin/inspect chapters listed no chapter" >&2; exit 1; }
start=$(date +%s)
for chapter in "${chapters[@]}"; do
  echo
  echo "=== $chapter $*"
  t0=$(date +%s)
  status=0
  "$bin/$chapter" "$@" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "=== $chapter failed with status $status" >&2
    exit "$status"
  fi
  echo "=== $chapter done in $(( $(date +%s) - t0 )) s"
done
echo
echo "All chapters done in $(( $(date +%s) - start )) s."
# A default run (course scale, artifacts/) refreshes figures/, the copies REPRODUCE.md links to.
if [ $# -eq 0 ]; then
  for png in artifacts/*/*.png; do
    [ -e "$png" ] || continue
    chapter="$(basename "$(dirname "$png")")"
    mkdir -p "figures/$chapter"
    cp "$png" "figures/$chapter/"
  done
  echo "Figures copied to figures/. Artifacts are under artifacts/ (see REPRODUCE.md)."
fi
