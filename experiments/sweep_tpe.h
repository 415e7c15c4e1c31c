#pragma once
// Tree-structured Parzen Estimator (Bergstra et al. 2011, "Algorithms for Hyper-Parameter
// Optimization"). The completed trials are split at the gamma quantile of the objective into
// good and bad; per parameter, l(x) is a Parzen estimator (truncated Gaussian mixture, or
// smoothed counts for choices) over the good trials' values and g(x) over the bad ones', each
// with a prior component. Candidates are drawn from l and the one with the largest l(x)/g(x)
// wins. Until spec.tpe.n_startup trials have completed, trials are random (random_assignment).
// Conditional parameters are modelled from the trials in which they were active.
#include <cstdint>
#include <vector>

#include "experiments/sweep_search.h"

namespace mmoe::experiments {

TrialAssignment tpe_assignment(const SweepSpec& spec, int64_t trial, const std::vector<CompletedTrial>& completed);

// A Parzen estimator on [low, high]: Gaussians at `centers` plus a prior Gaussian at the middle
// with sigma high - low, equally weighted, each truncated to the interval. Bandwidth of each
// center: the larger gap to its neighbours (the interval ends count), clipped to
// [(high - low) / min(100, n + 1), high - low].
class ParzenEstimator {
 public:
  ParzenEstimator(std::vector<double> centers, double low, double high);
  double density(double x) const;
  double sample(class SweepRng& rng) const;
  const std::vector<double>& mus() const { return mus_; }
  const std::vector<double>& sigmas() const { return sigmas_; }

 private:
  double low_;
  double high_;
  std::vector<double> mus_;     // the centers (sorted) then the prior's
  std::vector<double> sigmas_;
};

}  // namespace mmoe::experiments
