#pragma once
// Search methods: which values trial i gets. Grid is the cartesian product in file order (the
// last parameter varies fastest); random samples each parameter independently from a stream
// seeded by (seed, trial); TPE (sweep_tpe.h) models the completed trials. Every method is a
// pure function of the spec, the trial index and the completed trials.
#include <cstdint>
#include <vector>

#include "experiments/sweep_spec.h"

namespace mmoe::experiments {

struct CompletedTrial {
  TrialAssignment assignment;
  double objective = 0.0;  // the trial's best value of the objective metric
};

// Every grid point in order; a parameter whose condition fails is left out of that point.
// Requires values or int parameters only (parse_sweep_text checks).
std::vector<TrialAssignment> grid_assignments(const SweepSpec& spec);

// The trials the sweep runs: grid: the grid size, capped by max_trials when given; otherwise
// max_trials.
int64_t planned_trials(const SweepSpec& spec);

// One parameter's value drawn from its prior (uniform over choices, uniform / log-uniform
// over ranges, uniform over the int steps), as override text.
class SweepRng;
std::string sample_prior(const SweepParameter& parameter, SweepRng& rng);

TrialAssignment random_assignment(const SweepSpec& spec, int64_t trial);

// The values of trial `trial` by the spec's method.
TrialAssignment suggest_trial(const SweepSpec& spec, int64_t trial, const std::vector<CompletedTrial>& completed);

// Formats a number for an override: integers as integers, others with the shortest
// round-trip representation.
std::string format_number(double value, bool integer);

}  // namespace mmoe::experiments
