#pragma once
// Where each trial of a sweep stands, from the runs in the store: done (finished, or stopped by
// early termination), pending (never ran, interrupted, or failed with retries left), or
// exhausted (failed 1 + max_retries times). Re-running a sweep launches only pending trials.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "experiments/sweep_search.h"
#include "experiments/sweep_spec.h"
#include "tracking/sweep_records.h"

namespace mmoe::experiments {

enum class TrialState { kPending, kRunning, kDone, kExhausted };

struct TrialSummary {
  int64_t trial = 0;
  TrialState state = TrialState::kPending;
  int64_t runs = 0;
  int64_t failures = 0;  // failed runs plus launches that failed before creating a run
  std::string run_id;   // the done run, else the latest run; empty when none
  std::string status;   // "pending", "running", "finished", "stopped early", "failed", "exhausted"
  std::string stopped_early;  // why, when stopped early
  std::optional<double> objective;  // best value of the objective in run_id
  int64_t objective_epoch = 0;
};

// One summary per trial 0 .. planned - 1 (plus any trial with runs beyond it), by trial.
// `running_is_live`: a 'running' run counts as running (true) or as lost, to be rerun (false:
// the sweep that launched it is gone).
// `assignments`: the sweep_trials rows, for their failed launches.
std::vector<TrialSummary> summarize_trials(const std::vector<tracking::SweepRunRecord>& runs,
                                           const std::vector<tracking::SweepTrialRecord>& assignments, int64_t planned,
                                           int64_t max_retries, Direction direction, bool running_is_live);

// The done trials with their values, for TPE.
std::vector<CompletedTrial> completed_trials(const std::vector<TrialSummary>& trials,
                                             const std::vector<tracking::SweepTrialRecord>& assignments);

// The best done trial by the objective (the lowest trial index among ties); nullopt when none.
std::optional<TrialSummary> best_trial(const std::vector<TrialSummary>& trials, Direction direction);

}  // namespace mmoe::experiments
