# Shared environment for the mmoe sbatch scripts; sourced, not run.
# MMOE_HOME: the mmoe-trainer checkout (default: the directory sbatch was called from).
# MMOE_BIN:  the mmoe binary (default: $MMOE_HOME/build/cli/mmoe).
if [ -z "${SLURM_JOB_ID:-}" ]; then
  echo "$(basename "$0"): not inside a SLURM allocation; submit it with sbatch (see slurm/README.md)" >&2
  exit 2
fi
MMOE_HOME=${MMOE_HOME:-${SLURM_SUBMIT_DIR:-$PWD}}
MMOE_BIN=${MMOE_BIN:-$MMOE_HOME/build/cli/mmoe}
if [ ! -x "$MMOE_BIN" ]; then
  echo "$(basename "$0"): no mmoe binary at '$MMOE_BIN'; build it (scripts/quickstart.sh) or set MMOE_BIN" >&2
  exit 2
fi
# OpenBLAS sizes its thread pool at load time; match it to the CPUs SLURM gave this task.
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-${SLURM_CPUS_PER_TASK:-1}}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
