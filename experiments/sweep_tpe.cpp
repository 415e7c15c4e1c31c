#include "experiments/sweep_tpe.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "experiments/sweep_rng.h"

namespace mmoe::experiments {
namespace {

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

// The value of `path` in a trial, if the parameter was active there.
const std::string* value_of(const TrialAssignment& assignment, const std::string& path) {
  for (const auto& [p, v] : assignment) {
    if (p == path) return &v;
  }
  return nullptr;
}

// A range parameter's value in the space the estimator works in (log for log_uniform).
double to_space(const SweepParameter& p, double value) {
  return p.kind == ParamKind::kLogUniform ? std::log(value) : value;
}
double from_space(const SweepParameter& p, double value) {
  return p.kind == ParamKind::kLogUniform ? std::exp(value) : value;
}

std::string range_text(const SweepParameter& p, double space_value) {
  double value = from_space(p, space_value);
  if (p.kind == ParamKind::kInt) {
    const double steps = std::round((value - p.low) / static_cast<double>(p.step));
    value = std::clamp(p.low + steps * static_cast<double>(p.step), p.low, p.high);
    return format_number(value, true);
  }
  return format_number(std::clamp(value, p.low, p.high), false);
}

std::string suggest_range(const SweepParameter& p, const std::vector<double>& good, const std::vector<double>& bad,
                          int64_t candidates, SweepRng& rng) {
  const double low = to_space(p, p.low);
  const double high = to_space(p, p.high);
  if (high <= low) return range_text(p, low);
  const ParzenEstimator l(good, low, high);
  const ParzenEstimator g(bad, low, high);
  double best_x = low;
  double best_score = -std::numeric_limits<double>::infinity();
  for (int64_t i = 0; i < candidates; ++i) {
    const double x = l.sample(rng);
    const double score = std::log(l.density(x)) - std::log(g.density(x));
    if (score > best_score) {
      best_score = score;
      best_x = x;
    }
  }
  return range_text(p, best_x);
}

std::string suggest_choice(const SweepParameter& p, const std::vector<std::string>& good,
                           const std::vector<std::string>& bad, int64_t candidates, SweepRng& rng) {
  const std::size_t k = p.values.size();
  // Smoothed counts: a prior of one observation spread evenly over the choices.
  const auto weights = [&](const std::vector<std::string>& seen) {
    std::vector<double> w(k, 1.0 / static_cast<double>(k));
    for (const auto& v : seen) {
      for (std::size_t c = 0; c < k; ++c) w[c] += p.values[c] == v ? 1.0 : 0.0;
    }
    const double total = static_cast<double>(seen.size()) + 1.0;
    for (double& x : w) x /= total;
    return w;
  };
  const auto l = weights(good);
  const auto g = weights(bad);
  std::size_t best = 0;
  double best_score = -std::numeric_limits<double>::infinity();
  for (int64_t i = 0; i < candidates; ++i) {
    double u = rng.uniform();
    std::size_t c = 0;
    while (c + 1 < k && u >= l[c]) u -= l[c++];
    const double score = std::log(l[c]) - std::log(g[c]);
    if (score > best_score) {
      best_score = score;
      best = c;
    }
  }
  return p.values[best];
}

}  // namespace

ParzenEstimator::ParzenEstimator(std::vector<double> centers, double low, double high) : low_(low), high_(high) {
  std::sort(centers.begin(), centers.end());
  const double width = high - low;
  const double n = static_cast<double>(centers.size());
  const double min_sigma = width / std::min(100.0, n + 1.0);
  for (std::size_t i = 0; i < centers.size(); ++i) {
    const double left = i == 0 ? low : centers[i - 1];
    const double right = i + 1 == centers.size() ? high : centers[i + 1];
    const double gap = std::max(centers[i] - left, right - centers[i]);
    mus_.push_back(centers[i]);
    sigmas_.push_back(std::clamp(gap, min_sigma, width));
  }
  mus_.push_back(0.5 * (low + high));
  sigmas_.push_back(width);
}

double ParzenEstimator::density(double x) const {
  double sum = 0.0;
  for (std::size_t i = 0; i < mus_.size(); ++i) {
    const double s = sigmas_[i];
    const double z = (x - mus_[i]) / s;
    const double mass = normal_cdf((high_ - mus_[i]) / s) - normal_cdf((low_ - mus_[i]) / s);
    sum += std::exp(-0.5 * z * z) / (s * std::sqrt(2.0 * M_PI) * mass);
  }
  return sum / static_cast<double>(mus_.size());
}

double ParzenEstimator::sample(SweepRng& rng) const {
  const auto i = static_cast<std::size_t>(rng.below(static_cast<int64_t>(mus_.size())));
  for (int tries = 0; tries < 100; ++tries) {
    const double x = mus_[i] + sigmas_[i] * rng.normal();
    if (x >= low_ && x <= high_) return x;
  }
  return std::clamp(mus_[i], low_, high_);
}

TrialAssignment tpe_assignment(const SweepSpec& spec, int64_t trial, const std::vector<CompletedTrial>& completed) {
  if (static_cast<int64_t>(completed.size()) < spec.tpe.n_startup) return random_assignment(spec, trial);
  std::vector<const CompletedTrial*> ranked;
  for (const auto& c : completed) ranked.push_back(&c);
  std::stable_sort(ranked.begin(), ranked.end(), [&](const CompletedTrial* a, const CompletedTrial* b) {
    return better(spec.direction, a->objective, b->objective);
  });
  const auto n_good = std::max<std::size_t>(
      1, static_cast<std::size_t>(std::ceil(spec.tpe.gamma * static_cast<double>(ranked.size()))));

  SweepRng rng(spec.seed, trial);
  TrialAssignment assignment;
  for (const SweepParameter& p : spec.parameters) {
    if (!is_active(p, assignment)) continue;
    std::vector<std::string> good_text;
    std::vector<std::string> bad_text;
    for (std::size_t r = 0; r < ranked.size(); ++r) {
      if (const std::string* v = value_of(ranked[r]->assignment, p.path)) (r < n_good ? good_text : bad_text).push_back(*v);
    }
    if (good_text.empty()) {
      assignment.emplace_back(p.path, sample_prior(p, rng));
      continue;
    }
    if (p.kind == ParamKind::kValues) {
      assignment.emplace_back(p.path, suggest_choice(p, good_text, bad_text, spec.tpe.candidates, rng));
      continue;
    }
    std::vector<double> good;
    std::vector<double> bad;
    for (const auto& t : good_text) good.push_back(to_space(p, std::stod(t)));
    for (const auto& t : bad_text) bad.push_back(to_space(p, std::stod(t)));
    assignment.emplace_back(p.path, suggest_range(p, good, bad, spec.tpe.candidates, rng));
  }
  return assignment;
}

}  // namespace mmoe::experiments
