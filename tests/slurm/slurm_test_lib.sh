# Shared by the slurm-labelled tests; sourced. They submit the real slurm/*.sbatch scripts to a
# running cluster (scripts/slurm-local.sh start) and skip (exit 77) when none answers.
# Arguments of every test: SOURCE_DIR MMOE_BINARY.
set -euo pipefail
root=$1
mmoe=$2
if ! command -v sbatch >/dev/null || ! sinfo -h >/dev/null 2>&1; then
  echo "SKIPPED: no SLURM cluster answers (start one with scripts/slurm-local.sh start and export SLURM_CONF)"
  exit 77
fi
work=$(mktemp -d /tmp/mmoe-slurm-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
export MMOE_HOME=$root MMOE_BIN=$mmoe
cd "$work"

fail() { echo "FAIL: $*"; for f in "$work"/job-*.out; do [ -f "$f" ] && { echo "--- $f"; tail -30 "$f"; }; done; exit 1; }

# A small dataset and a config training `epochs` epochs into ./runs.db and ./checkpoints.
make_run_config() {
  local epochs=$1
  "$mmoe" synth --kind attributes --out "$work/data" --rows 3000 --feature-dim 32 --seed 3 >/dev/null
  cat > "$work/run.yaml" <<CONF
data:
  dir: $work/data
model:
  num_experts: 4
  expert_hidden: [32, 16]
  tower_hidden: [16]
  expert_dropout: 0.2
optim:
  lr: 0.003
train:
  epochs: $epochs
  batch_size: 64
  seed: 1
  checkpoint_dir: $work/checkpoints
  progress: lines
tracking:
  experiment: slurm-test
  store: $work/runs.db
CONF
}

job_state() { squeue -h -j "$1" -o %T 2>/dev/null || true; }

# Waits until job $1 has left the queue (at most $2 seconds).
wait_for_job_end() {
  local deadline=$((SECONDS + $2))
  while [ -n "$(job_state "$1")" ]; do
    [ $SECONDS -lt "$deadline" ] || { scancel "$1"; fail "job $1 still queued after $2 s"; }
    sleep 1
  done
}

sql() { sqlite3 "$1" "$2" 2>/dev/null || true; }

# Every stored number of the store's runs except timings, as exact text.
stored_metrics() {
  sqlite3 "$1" "SELECT epoch, key, printf('%.17g', value) FROM metrics WHERE key NOT IN ('epoch_time_s', 'rows_per_s') ORDER BY epoch, key;
                SELECT epoch, task, split, printf('%.17g|%.17g|%.17g|%.17g', loss, accuracy, weighted_f1, rmse) FROM task_metrics ORDER BY epoch, task, split;"
}
