#!/usr/bin/env bash
# The sbatch scripts must refuse to run outside a SLURM allocation, with exit code 2 and a message
# that says how to submit them.
set -u
root=$1
for script in train cache; do
  output=$(env -u SLURM_JOB_ID bash "$root/slurm/$script.sbatch" examples/quickstart.yaml 2>&1)
  code=$?
  if [ "$code" -ne 2 ]; then echo "$script.sbatch: expected exit 2, got $code: $output"; exit 1; fi
  case "$output" in
    *"not inside a SLURM allocation"*sbatch*) echo "ok: $output" ;;
    *) echo "$script.sbatch: unexpected message: $output"; exit 1 ;;
  esac
done
