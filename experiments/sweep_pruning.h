#pragma once
// Early termination of poor trials from per-epoch metrics (docs/sweeps.md). Pure decisions:
// the sweep executor reads the curves from the store and stops a trial the decision names.
//
// median (Golovin et al. 2017, Vizier's median stopping rule, in the form of the brief): at
//   epoch e >= min_epochs, stop a trial whose best-so-far value is worse than the median of the
//   other trials' values at epoch e, once at least min_trials other trials have logged e.
// asha (Li et al. 2020, asynchronous successive halving, stopping variant): rungs at epochs
//   min_epochs * eta^k below max_epochs. A trial reaching a rung continues only if its
//   best-so-far value there is among the top max(1, floor(n / eta)) of the n trials that have
//   reached the rung so far (itself included); ties continue.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "experiments/sweep_spec.h"

namespace mmoe::experiments {

using MetricCurve = std::map<int64_t, double>;  // epoch (1-based) -> objective value

// The best value logged at epochs <= epoch; nullopt when none.
std::optional<double> best_so_far(const MetricCurve& curve, int64_t epoch, Direction direction);

// min_epochs, min_epochs * eta, ... while below max_epochs.
std::vector<int64_t> asha_rungs(const EarlyTermination& policy, int64_t max_epochs);

// Why the trial with `curve` should stop when judged at `epoch` (one line), or nullopt to let
// it continue. `others`: the curves of the sweep's other trials, running or done.
std::optional<std::string> early_stop_reason(const EarlyTermination& policy, Direction direction, int64_t max_epochs,
                                             const MetricCurve& curve, const std::vector<MetricCurve>& others,
                                             int64_t epoch);

}  // namespace mmoe::experiments
