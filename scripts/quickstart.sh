#!/usr/bin/env bash
# From a fresh Debian bookworm machine to a trained, recorded MMoE: installs missing packages,
# builds mmoe (Release), generates a synthetic multi-attribute dataset, trains an MMoE on CPU for
# a few epochs with examples/quickstart.yaml, records the run in an SQLite store, and prints the
# run id, the store's path and the final validation metrics of every task.
# Everything it writes goes to ./quickstart/ (git ignores it). Re-running adds another run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)" --target mmoe
mmoe="$root/build/cli/mmoe"

export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-2} OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
mkdir -p quickstart
cd quickstart
echo "== generating a synthetic dataset (4 tasks: 2 multiclass, 1 multilabel, 1 regression)"
"$mmoe" synth --kind attributes --out quickstart-data --rows 10000 --feature-dim 64 --seed 0
echo "== training (examples/quickstart.yaml)"
"$mmoe" train "$root/examples/quickstart.yaml"
echo "== the store"
echo "runs in $(pwd)/quickstart.db: $(sqlite3 quickstart.db 'select count(*) from runs')"
"$mmoe" runs list --store quickstart.db --limit 5
