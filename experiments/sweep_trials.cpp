#include "experiments/sweep_trials.h"

#include <map>

namespace mmoe::experiments {

std::vector<TrialSummary> summarize_trials(const std::vector<tracking::SweepRunRecord>& runs,
                                           const std::vector<tracking::SweepTrialRecord>& assignments, int64_t planned,
                                           int64_t max_retries, Direction direction, bool running_is_live) {
  std::map<int64_t, TrialSummary> by_trial;
  for (int64_t t = 0; t < planned; ++t) by_trial[t].trial = t;
  for (const auto& a : assignments) {
    by_trial[a.trial].trial = a.trial;
    by_trial[a.trial].failures += a.failed_launches;
  }
  for (const auto& run : runs) {  // by trial, then start time
    TrialSummary& s = by_trial[run.trial];
    s.trial = run.trial;
    if (s.state == TrialState::kDone) continue;  // the first done run stands
    ++s.runs;
    s.run_id = run.run_id;
    const bool finished = run.status == "finished";
    const bool stopped = run.status == "interrupted" && !run.stopped_early.empty();
    if (finished || stopped) {
      s.state = TrialState::kDone;
      s.status = finished ? "finished" : "stopped early";
      s.stopped_early = stopped ? run.stopped_early : "";
      for (const auto& [epoch, value] : run.curve) {
        if (!s.objective || better(direction, value, *s.objective)) {
          s.objective = value;
          s.objective_epoch = epoch;
        }
      }
    } else if (run.status == "failed") {
      ++s.failures;
    } else if (run.status == "running" && running_is_live) {
      s.state = TrialState::kRunning;
    }
  }
  std::vector<TrialSummary> out;
  for (auto& [trial, s] : by_trial) {
    if (s.state == TrialState::kRunning) {
      s.status = "running";
    } else if (s.state != TrialState::kDone) {
      s.state = s.failures > max_retries ? TrialState::kExhausted : TrialState::kPending;
      s.status = s.state == TrialState::kExhausted ? "exhausted" : s.failures > 0 ? "failed" : "pending";
    }
    out.push_back(s);
  }
  return out;
}

std::vector<CompletedTrial> completed_trials(const std::vector<TrialSummary>& trials,
                                             const std::vector<tracking::SweepTrialRecord>& assignments) {
  std::vector<CompletedTrial> completed;
  for (const auto& t : trials) {
    if (t.state != TrialState::kDone || !t.objective) continue;
    for (const auto& a : assignments) {
      if (a.trial == t.trial) completed.push_back({parse_assignment(a.assignment), *t.objective});
    }
  }
  return completed;
}

std::optional<TrialSummary> best_trial(const std::vector<TrialSummary>& trials, Direction direction) {
  std::optional<TrialSummary> best;
  for (const auto& t : trials) {
    if (t.state != TrialState::kDone || !t.objective) continue;
    if (!best || better(direction, *t.objective, *best->objective)) best = t;
  }
  return best;
}

}  // namespace mmoe::experiments
