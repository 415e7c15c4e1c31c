#!/usr/bin/env bash
# Per-trial overhead of a local sweep: what a trial process costs beyond its training epochs
# (process start, LibTorch load, config and data load, store writes), against the training time
# of a small trial. Target: overhead <= 10% of the trial process's lifetime.
#   bench/sweep_overhead.sh [MMOE_BINARY] [ROWS] [EPOCHS] [TRIALS]
# Trials run one at a time (parallelism 1) so they do not compete for the CPU. Per trial:
#   process_s = spawn to exit (run tag mmoe.sweep.process_seconds, set by the executor)
#   train_s   = sum of the run's epoch_time_s metrics (the trainer's timed epochs)
#   overhead  = (process_s - train_s) / process_s
set -euo pipefail
mmoe=${1:-build/cli/mmoe}
rows=${2:-20000}
epochs=${3:-5}
trials=${4:-4}
mmoe=$(realpath "$mmoe")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$mmoe" synth --kind attributes --out data --rows "$rows" --feature-dim 64 --seed 3 > /dev/null
cat > base.yaml <<YAML
data:
  dir: $work/data
model:
  num_experts: 4
  expert_hidden: [64, 32]
  tower_hidden: [16]
train:
  epochs: $epochs
  batch_size: 128
  progress: none
tracking:
  experiment: overhead
YAML
values=$(seq -s, 1 "$trials" | sed 's/,/, /g')
cat > sweep.yaml <<YAML
name: overhead
base: base.yaml
method: grid
parallelism: 1
parameters:
  train.seed: {values: [$values]}
YAML
start=$(date +%s.%N)
"$mmoe" sweep run sweep.yaml --store runs.db > sweep.log
end=$(date +%s.%N)
echo "sweep_overhead: $trials trials of $rows rows x $epochs epochs, parallelism 1, $(nproc) CPUs"
echo "sweep wall time: $(echo "$end - $start" | bc) s"
sqlite3 -separator ' ' runs.db "
  SELECT printf('trial %d: process %.3f s, training %.3f s, overhead %.3f s = %.1f%%',
                r.trial, CAST(t.value AS REAL), SUM(m.value), CAST(t.value AS REAL) - SUM(m.value),
                100.0 * (CAST(t.value AS REAL) - SUM(m.value)) / CAST(t.value AS REAL))
  FROM runs AS r
  JOIN tags AS t ON t.run_id = r.id AND t.key = 'mmoe.sweep.process_seconds'
  JOIN metrics AS m ON m.run_id = r.id AND m.key = 'epoch_time_s'
  GROUP BY r.id ORDER BY r.trial;"
sqlite3 runs.db "
  WITH per_run AS (
    SELECT CAST(t.value AS REAL) AS process, SUM(m.value) AS train
    FROM runs AS r
    JOIN tags AS t ON t.run_id = r.id AND t.key = 'mmoe.sweep.process_seconds'
    JOIN metrics AS m ON m.run_id = r.id AND m.key = 'epoch_time_s'
    GROUP BY r.id)
  SELECT printf('total: process %.3f s, training %.3f s, overhead ratio %.3f (target <= 0.10)',
                SUM(process), SUM(train), (SUM(process) - SUM(train)) / SUM(process)) FROM per_run;"
