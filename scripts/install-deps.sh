#!/usr/bin/env bash
# Installs every Debian package mmoe-trainer needs to build, test and run the quickstart.
# Idempotent: packages already present are skipped; safe to run again.
# Usage: scripts/install-deps.sh            (as root, or with sudo available)
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # LibTorch (CPU) and a threaded BLAS: without libopenblas0-pthread LibTorch falls back to
  # the reference BLAS and matrix work runs ~20x slower.
  libtorch-dev libopenblas0-pthread
  # MPI for multi-process training and tests
  openmpi-bin libopenmpi-dev
  # storage and formats
  libhdf5-dev hdf5-tools libsqlite3-dev sqlite3 libyaml-cpp-dev
  # utilities
  libfmt-dev libspdlog-dev libcli11-dev nlohmann-json3-dev
  # image decoding (feature cache)
  libturbojpeg0-dev libpng-dev zlib1g-dev
  # model graphs as PNG / SVG (mmoe model graph --out model.png)
  graphviz
  # plots of mmoe report (gnuplot driven from the program; pngcairo and svg terminals)
  gnuplot-nox
  # tests (libexpat1-dev: the report tests parse the SVGs it writes)
  libgtest-dev libgmock-dev googletest libexpat1-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi

echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
