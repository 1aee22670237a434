#!/usr/bin/env bash
# Installs the Debian packages this project needs, when they are missing:
#   libopenblas-dev (BLAS for every matmul), gnuplot-nox (figures), fonts-nanum (Hangul in figures),
#   curl (the data step's downloads).
set -euo pipefail
packages=(libopenblas-dev gnuplot-nox fonts-nanum curl)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present (${packages[*]})"
  exit 0
fi
echo "system packages: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
