#!/usr/bin/env bash
# A 2-task training job: train.sbatch launches two processes in the allocation, which train one
# data-parallel run recorded with world_size 2.
source "$(dirname "$0")/slurm_test_lib.sh"
make_run_config 3
jid=$(sbatch --parsable --ntasks=2 --cpus-per-task=1 -o "$work/job-%j.out" "$root/slurm/train.sbatch" \
      "$work/run.yaml" train.batch_size=32)
wait_for_job_end "$jid" 300
[ "$(sql runs.db "SELECT status || ' ' || world_size FROM runs")" = "finished 2" ] ||
  fail "expected one finished run with world_size 2, got: $(sql runs.db 'SELECT status, world_size FROM runs')"
grep -q "2 task(s)" "$work/job-$jid.out" || fail "the job did not see 2 tasks"
echo "ok: job $jid trained one run on 2 processes"
