#!/usr/bin/env bash
# Builds mmoe-trainer (Release) and runs the whole test suite with CTest: every label that can
# run on this machine (unit and e2e everywhere; gpu tests skip with a visible reason without one).
# Usage: scripts/test.sh [extra ctest arguments, e.g. -L unit or -R data_test]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/install-deps.sh

build_dir=${MMOE_BUILD_DIR:-build}
jobs=${MMOE_JOBS:-$(nproc)}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release
start=$(date +%s)
cmake --build "$build_dir" -j"$jobs"
echo "test.sh: build took $(( $(date +%s) - start ))s"

# OpenBLAS sizes its own thread pool at load time; torch::set_num_threads does not cap it.
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-2} OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
ctest --test-dir "$build_dir" --output-on-failure -j"$jobs" --timeout 600 "$@"
