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

# The slurm-labelled tests submit real jobs: start a one-host cluster when we are root and none
# answers (they skip with the reason otherwise). MMOE_NO_SLURM=1 skips this.
if [ -z "${MMOE_NO_SLURM:-}" ] && [ "$(id -u)" -eq 0 ] && ! sinfo -h >/dev/null 2>&1; then
  if bash scripts/slurm-local.sh start; then
    export SLURM_CONF=${MMOE_SLURM_DIR:-/tmp/mmoe-slurm}/slurm.conf
  else
    echo "test.sh: could not start a local SLURM cluster; the slurm tests will skip" >&2
  fi
fi

# OpenBLAS sizes its own thread pool at load time; torch::set_num_threads does not cap it.
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-2} OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
ctest --test-dir "$build_dir" --output-on-failure -j"$jobs" --timeout 600 "$@"
