#include "experiments/sweep_search.h"

#include <cmath>
#include <functional>

#include <fmt/format.h>

#include "experiments/sweep_rng.h"
#include "experiments/sweep_tpe.h"

namespace mmoe::experiments {
namespace {

// The choices of a grid parameter as override text.
std::vector<std::string> grid_values(const SweepParameter& p) {
  if (p.kind == ParamKind::kValues) return p.values;
  std::vector<std::string> values;
  for (double v = p.low; v <= p.high; v += static_cast<double>(p.step)) values.push_back(format_number(v, true));
  return values;
}

}  // namespace

std::string format_number(double value, bool integer) {
  if (integer) return fmt::format("{}", static_cast<int64_t>(std::llround(value)));
  return fmt::format("{}", value);
}

std::vector<TrialAssignment> grid_assignments(const SweepSpec& spec) {
  std::vector<TrialAssignment> points;
  TrialAssignment current;
  std::function<void(std::size_t)> expand = [&](std::size_t index) {
    if (index == spec.parameters.size()) {
      points.push_back(current);
      return;
    }
    const SweepParameter& p = spec.parameters[index];
    if (!is_active(p, current)) {
      expand(index + 1);
      return;
    }
    for (const std::string& value : grid_values(p)) {
      current.emplace_back(p.path, value);
      expand(index + 1);
      current.pop_back();
    }
  };
  expand(0);
  return points;
}

int64_t planned_trials(const SweepSpec& spec) {
  if (spec.method != SearchMethod::kGrid) return spec.max_trials;
  const auto size = static_cast<int64_t>(grid_assignments(spec).size());
  return spec.max_trials > 0 && spec.max_trials < size ? spec.max_trials : size;
}

std::string sample_prior(const SweepParameter& p, SweepRng& rng) {
  switch (p.kind) {
    case ParamKind::kValues:
      return p.values[static_cast<std::size_t>(rng.below(static_cast<int64_t>(p.values.size())))];
    case ParamKind::kUniform:
      return format_number(p.low + rng.uniform() * (p.high - p.low), false);
    case ParamKind::kLogUniform: {
      const double a = std::log(p.low);
      const double b = std::log(p.high);
      return format_number(std::exp(a + rng.uniform() * (b - a)), false);
    }
    case ParamKind::kInt: {
      const auto steps = static_cast<int64_t>(std::floor((p.high - p.low) / static_cast<double>(p.step))) + 1;
      return format_number(p.low + static_cast<double>(rng.below(steps) * p.step), true);
    }
  }
  return "";
}

TrialAssignment random_assignment(const SweepSpec& spec, int64_t trial) {
  SweepRng rng(spec.seed, trial);
  TrialAssignment assignment;
  for (const SweepParameter& p : spec.parameters) {
    if (!is_active(p, assignment)) continue;
    assignment.emplace_back(p.path, sample_prior(p, rng));
  }
  return assignment;
}

TrialAssignment suggest_trial(const SweepSpec& spec, int64_t trial, const std::vector<CompletedTrial>& completed) {
  switch (spec.method) {
    case SearchMethod::kGrid: {
      const auto points = grid_assignments(spec);
      MMOE_ASSERT(trial >= 0 && trial < static_cast<int64_t>(points.size()),
                  fmt::format("grid trial {} of {}", trial, points.size()));
      return points[static_cast<std::size_t>(trial)];
    }
    case SearchMethod::kRandom: return random_assignment(spec, trial);
    case SearchMethod::kTpe: return tpe_assignment(spec, trial, completed);
  }
  return {};
}

}  // namespace mmoe::experiments
