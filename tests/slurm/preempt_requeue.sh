#!/usr/bin/env bash
# A training job preempted twice (USR1 to the batch script, as --signal=B:USR1@120 sends it)
# requeues itself each time, continues the same run, and ends with exactly the stored metrics of
# an uninterrupted run.
source "$(dirname "$0")/slurm_test_lib.sh"
make_run_config 60

"$mmoe" train run.yaml tracking.store="$work/whole.db" train.checkpoint_dir="$work/whole-checkpoints" \
  train.progress=none >/dev/null 2>&1 || fail "the uninterrupted run failed"

jid=$(sbatch --parsable -o "$work/job-%j.out" "$root/slurm/train.sbatch" "$work/run.yaml")
deadline=$((SECONDS + 420))
preempted_at=0  # epochs stored when the last preemption was sent
for restart in 1 2; do
  # Let this attempt train at least two epochs past the previous preemption.
  while true; do
    [ $SECONDS -lt "$deadline" ] || { scancel "$jid"; fail "attempt $restart never got going"; }
    epochs=$(sql runs.db "SELECT COUNT(*) FROM epochs")
    if [ "$(job_state "$jid")" = RUNNING ] && [ "${epochs:-0}" -ge $((preempted_at + 2)) ]; then break; fi
    [ "${epochs:-0}" -lt 60 ] || fail "the run finished before preemption $restart"
    [ -n "$(job_state "$jid")" ] || fail "job $jid left the queue before preemption $restart"
    sleep 0.5
  done
  preempted_at=$epochs
  scancel --signal=USR1 --batch "$jid"
  # The job requeues itself; SLURM delays a requeued job's start by two minutes, which a test
  # need not wait for.
  while [ "$(scontrol show job "$jid" | grep -o 'Restarts=[0-9]*')" != "Restarts=$restart" ]; do
    [ $SECONDS -lt "$deadline" ] || { scancel "$jid"; fail "job $jid was not requeued after preemption $restart"; }
    sleep 0.5
  done
  while [ "$(job_state "$jid")" != PENDING ]; do
    [ $SECONDS -lt "$deadline" ] || { scancel "$jid"; fail "job $jid did not return to the queue"; }
    sleep 0.2
  done
  # Not `now`: slurmd refuses a launch in the same second as the requeue ("credential revoked").
  scontrol update JobId="$jid" StartTime=now+3 >/dev/null 2>&1 || fail "cannot move job $jid's start forward"
  status=$(sql runs.db "SELECT status FROM runs")
  [ "$status" = preempted ] || [ "$status" = running ] || fail "after preemption $restart the run is '$status'"
done
wait_for_job_end "$jid" 420

out=$work/job-$jid.out
[ "$(grep -c 'preempted (exit 75); requeueing' "$out")" -eq 2 ] || fail "expected two requeues with exit 75 in $out"
[ "$(sql runs.db "SELECT COUNT(*) || ' ' || MIN(status) FROM runs")" = "1 finished" ] ||
  fail "expected one finished run, got: $(sql runs.db 'SELECT id, status FROM runs')"
[ "$(sql runs.db "SELECT COUNT(*) FROM epochs")" = 60 ] || fail "expected 60 stored epochs"
if [ "$(stored_metrics runs.db)" != "$(stored_metrics whole.db)" ]; then
  diff <(stored_metrics runs.db) <(stored_metrics whole.db) | head -20
  fail "the preempted run's metrics differ from the uninterrupted run's"
fi
echo "ok: job $jid preempted twice, requeued, one run with the uninterrupted run's metrics"
