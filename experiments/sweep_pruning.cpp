#include "experiments/sweep_pruning.h"

#include <algorithm>

#include <fmt/format.h>

namespace mmoe::experiments {
namespace {

std::optional<std::string> median_reason(const EarlyTermination& policy, Direction direction,
                                         const MetricCurve& curve, const std::vector<MetricCurve>& others,
                                         int64_t epoch) {
  if (epoch < policy.min_epochs) return std::nullopt;
  const auto mine = best_so_far(curve, epoch, direction);
  if (!mine) return std::nullopt;
  std::vector<double> values;
  for (const auto& other : others) {
    const auto found = other.find(epoch);
    if (found != other.end()) values.push_back(found->second);
  }
  if (static_cast<int64_t>(values.size()) < policy.min_trials) return std::nullopt;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  const double median = n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
  if (!better(direction, median, *mine)) return std::nullopt;
  return fmt::format("median stopping at epoch {}: best so far {:.6g} is worse than the median {:.6g} of {} other trials",
                     epoch, *mine, median, n);
}

std::optional<std::string> asha_reason(const EarlyTermination& policy, Direction direction, int64_t max_epochs,
                                       const MetricCurve& curve, const std::vector<MetricCurve>& others,
                                       int64_t epoch) {
  const auto rungs = asha_rungs(policy, max_epochs);
  if (std::find(rungs.begin(), rungs.end(), epoch) == rungs.end()) return std::nullopt;
  const auto mine = best_so_far(curve, epoch, direction);
  if (!mine) return std::nullopt;
  std::vector<double> competing = {*mine};
  for (const auto& other : others) {
    if (other.empty() || other.rbegin()->first < epoch) continue;  // not at this rung yet
    if (const auto value = best_so_far(other, epoch, direction)) competing.push_back(*value);
  }
  std::sort(competing.begin(), competing.end(), [&](double a, double b) { return better(direction, a, b); });
  const std::size_t keep = std::max<std::size_t>(1, competing.size() / static_cast<std::size_t>(policy.eta));
  const double threshold = competing[keep - 1];
  if (!better(direction, threshold, *mine)) return std::nullopt;
  return fmt::format("asha rung at epoch {}: {:.6g} is not in the top {} of {} trials (threshold {:.6g})", epoch,
                     *mine, keep, competing.size(), threshold);
}

}  // namespace

std::optional<double> best_so_far(const MetricCurve& curve, int64_t epoch, Direction direction) {
  std::optional<double> best;
  for (const auto& [e, value] : curve) {
    if (e > epoch) break;
    if (!best || better(direction, value, *best)) best = value;
  }
  return best;
}

std::vector<int64_t> asha_rungs(const EarlyTermination& policy, int64_t max_epochs) {
  std::vector<int64_t> rungs;
  for (int64_t r = policy.min_epochs; r < max_epochs; r *= policy.eta) rungs.push_back(r);
  return rungs;
}

std::optional<std::string> early_stop_reason(const EarlyTermination& policy, Direction direction, int64_t max_epochs,
                                             const MetricCurve& curve, const std::vector<MetricCurve>& others,
                                             int64_t epoch) {
  switch (policy.method) {
    case PrunerKind::kNone: return std::nullopt;
    case PrunerKind::kMedian: return median_reason(policy, direction, curve, others, epoch);
    case PrunerKind::kAsha: return asha_reason(policy, direction, max_epochs, curve, others, epoch);
  }
  return std::nullopt;
}

}  // namespace mmoe::experiments
