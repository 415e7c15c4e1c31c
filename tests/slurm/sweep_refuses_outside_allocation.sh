#!/usr/bin/env bash
# slurm/sweep.sbatch refuses to run outside a SLURM allocation (exit 2, says how to submit) and
# inside one without an array task id (exit 2, usage).
set -u
root=$1
output=$(env -u SLURM_JOB_ID bash "$root/slurm/sweep.sbatch" 0123456789ab 2>&1)
code=$?
if [ "$code" -ne 2 ]; then echo "expected exit 2, got $code: $output"; exit 1; fi
case "$output" in
  *"not inside a SLURM allocation"*sbatch*) echo "ok: $output" ;;
  *) echo "unexpected message: $output"; exit 1 ;;
esac
output=$(env -u SLURM_ARRAY_TASK_ID SLURM_JOB_ID=1 MMOE_BIN=/bin/true bash "$root/slurm/sweep.sbatch" 0123456789ab 2>&1)
code=$?
if [ "$code" -ne 2 ]; then echo "expected exit 2 without an array task, got $code: $output"; exit 1; fi
case "$output" in
  *"usage: sbatch --array"*) echo "ok: $output" ;;
  *) echo "unexpected message: $output"; exit 1 ;;
esac
