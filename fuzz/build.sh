#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/harnesses/*.swift) outside SwiftPM, into fuzz/.build/.
#
#   bash fuzz/build.sh              # every harness
#   bash fuzz/build.sh json bpe     # only these
#   bash fuzz/build.sh --list       # the harnesses' names
#
# Why not SwiftPM: `-sanitize=fuzzer` links libFuzzer's own main(), which clashes with the chapters' executables, and
# the fuzz build needs no ArgumentParser. So the libraries the loaders live in are compiled here straight from their
# sources, with coverage instrumentation and AddressSanitizer: Tensor, Plumbing and Repro (Book, the chapters'
# machinery, is not needed). A harness that needs chapter code lists the chapter files it compiles in
# with it (a `// chapter-files:` line). Release optimisation (-O) keeps Swift's bounds and overflow checks, so a trap
# on bad input shows up as a crash, which is what we are looking for.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --list ]; then
    for f in fuzz/harnesses/*.swift; do name="$(basename "$f" .swift)"; [ "$name" = Support ] || echo "$name"; done
    exit 0
fi
root="$PWD"
out="$root/fuzz/.build"
mkdir -p "$out"
sanitize="${FUZZ_SANITIZE:-fuzzer,address}"
flags=(-O -g -parse-as-library -swift-version 5 -sanitize="$sanitize" -module-cache-path "$out/module-cache"
       -Xcc -fmodule-map-file="$root/Sources/COpenBLAS/module.modulemap" -I "$out")

# A library is rebuilt when one of its sources is newer than its archive.
library() {   # name, sources...
    local name="$1"; shift
    if [ -f "$out/lib$name.a" ] && [ -z "$(find "$@" -newer "$out/lib$name.a" 2>/dev/null)" ]; then return; fi
    echo "fuzz: compiling $name ($# files)"
    swiftc "${flags[@]}" -module-name "$name" -emit-module -emit-module-path "$out/$name.swiftmodule" \
        -emit-library -static -o "$out/lib$name.a" "$@"
}

library Tensor Sources/Tensor/*.swift
library Plumbing Sources/Plumbing/*.swift
library Repro $(find Sources/Repro -name '*.swift' | sort)

harnesses=("$@")
[ ${#harnesses[@]} -ne 0 ] || mapfile -t harnesses < <(bash fuzz/build.sh --list)
for name in "${harnesses[@]}"; do
    source="fuzz/harnesses/$name.swift"
    [ -f "$source" ] || { echo "fuzz: no harness $source" >&2; exit 1; }
    extra=($(sed -n 's|^// chapter-files: *||p' "$source"))
    echo "fuzz: linking $name"
    swiftc "${flags[@]}" -module-name "fuzz_$name" "$source" fuzz/harnesses/Support.swift "${extra[@]}" \
        -L "$out" -lRepro -lPlumbing -lTensor -lopenblas -o "$out/$name" 2> >(grep -v "ld.gold: warning: Cannot export local symbol" >&2)
done
