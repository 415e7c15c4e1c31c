# Shared environment and helpers of the mmoe sbatch scripts; sourced, not run.
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

# Sets the array `launch` to the command that starts one process per task of the allocation:
# srun for one task; for several, mpirun (OpenMPI reads the allocation) or, with
# MMOE_LAUNCHER=srun, srun --mpi=$MMOE_SRUN_MPI (default pmix; the MPI needs PMIx support).
mmoe_set_launcher() {
  local tasks=${SLURM_NTASKS:-1}
  if [ "$tasks" -eq 1 ]; then
    launch=(srun --ntasks=1)
  elif [ "${MMOE_LAUNCHER:-mpirun}" = srun ]; then
    launch=(srun --kill-on-bad-exit=1 --mpi="${MMOE_SRUN_MPI:-pmix}")
  else
    launch=(mpirun -np "$tasks")
    if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
  fi
}

# Waits for background process $1 and returns its exit status. `wait` returns early when a
# trapped signal arrives, so it waits again until the process has really ended.
mmoe_wait_for() {
  local status=0
  while true; do
    set +e
    wait "$1"
    status=$?
    set -e
    if ! kill -0 "$1" 2>/dev/null; then return "$status"; fi
  done
}
