// Grid order, random determinism and ranges, TPE against random on a 1-D quadratic, and the
// Parzen estimator against hand-computed bandwidths and a numerical integral.
#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "experiments/sweep_rng.h"
#include "experiments/sweep_search.h"
#include "experiments/sweep_tpe.h"
#include "sweep_test_util.h"

namespace mmoe::experiments {
namespace {

using testing::bare_spec;

SweepParameter values(const std::string& path, std::vector<std::string> v) {
  SweepParameter p;
  p.path = path;
  p.kind = ParamKind::kValues;
  p.values = std::move(v);
  return p;
}

SweepParameter range(const std::string& path, ParamKind kind, double low, double high, int64_t step = 1) {
  SweepParameter p;
  p.path = path;
  p.kind = kind;
  p.low = low;
  p.high = high;
  p.step = step;
  return p;
}

TEST(SweepGrid, CartesianProductLastParameterFastest) {
  auto spec = bare_spec(SearchMethod::kGrid, 0, 0);
  spec.parameters = {values("a", {"1", "2"}), values("b", {"x", "y", "z"})};
  const auto points = grid_assignments(spec);
  const std::vector<TrialAssignment> expected = {
      {{"a", "1"}, {"b", "x"}}, {{"a", "1"}, {"b", "y"}}, {{"a", "1"}, {"b", "z"}},
      {{"a", "2"}, {"b", "x"}}, {{"a", "2"}, {"b", "y"}}, {{"a", "2"}, {"b", "z"}}};
  EXPECT_EQ(points, expected);
  EXPECT_EQ(planned_trials(spec), 6);
  spec.max_trials = 4;
  EXPECT_EQ(planned_trials(spec), 4);
  EXPECT_EQ(suggest_trial(spec, 3, {}), expected[3]);
}

TEST(SweepGrid, IntStepsAndConditions) {
  auto spec = bare_spec(SearchMethod::kGrid, 0, 0);
  spec.parameters = {values("model.type", {"mmoe", "shared_bottom"}), range("model.num_experts", ParamKind::kInt, 2, 8, 3)};
  spec.parameters[1].when = {{"model.type", "mmoe"}};
  const std::vector<TrialAssignment> expected = {
      {{"model.type", "mmoe"}, {"model.num_experts", "2"}},
      {{"model.type", "mmoe"}, {"model.num_experts", "5"}},
      {{"model.type", "mmoe"}, {"model.num_experts", "8"}},
      {{"model.type", "shared_bottom"}}};
  EXPECT_EQ(grid_assignments(spec), expected);
}

TEST(SweepRandom, SameSeedSameTrialsOtherSeedOthers) {
  auto spec = bare_spec(SearchMethod::kRandom, 11, 50);
  spec.parameters = {values("c", {"p", "q", "r"}), range("u", ParamKind::kUniform, -1, 1),
                     range("l", ParamKind::kLogUniform, 1e-4, 1e-1), range("i", ParamKind::kInt, 2, 10, 2)};
  auto other = spec;
  other.seed = 12;
  int differing = 0;
  for (int64_t t = 0; t < 50; ++t) {
    const auto a = random_assignment(spec, t);
    EXPECT_EQ(a, random_assignment(spec, t));  // deterministic
    differing += a != random_assignment(other, t) ? 1 : 0;
    ASSERT_EQ(a.size(), 4u);
    EXPECT_TRUE(a[0].second == "p" || a[0].second == "q" || a[0].second == "r");
    const double u = std::stod(a[1].second);
    EXPECT_TRUE(u >= -1 && u <= 1) << u;
    const double l = std::stod(a[2].second);
    EXPECT_TRUE(l >= 1e-4 && l <= 1e-1) << l;
    const int i = std::stoi(a[3].second);
    EXPECT_TRUE(i >= 2 && i <= 10 && i % 2 == 0) << i;
  }
  EXPECT_EQ(differing, 50);
  EXPECT_NE(random_assignment(spec, 0), random_assignment(spec, 1));
}

TEST(SweepRandom, PriorsHaveTheirShape) {
  // 4000 draws with a fixed seed: uniform [0, 1] has mean 1/2; log-uniform [1e-4, 1] has
  // log10 mean -2; each of 4 choices about 1/4. Loose bounds (many standard errors).
  auto spec = bare_spec(SearchMethod::kRandom, 5, 4000);
  spec.parameters = {range("u", ParamKind::kUniform, 0, 1), range("l", ParamKind::kLogUniform, 1e-4, 1),
                     values("c", {"a", "b", "c", "d"})};
  double sum_u = 0, sum_log = 0;
  int count_a = 0;
  for (int64_t t = 0; t < 4000; ++t) {
    const auto a = random_assignment(spec, t);
    sum_u += std::stod(a[0].second);
    sum_log += std::log10(std::stod(a[1].second));
    count_a += a[2].second == "a";
  }
  EXPECT_NEAR(sum_u / 4000, 0.5, 0.03);
  EXPECT_NEAR(sum_log / 4000, -2.0, 0.1);
  EXPECT_NEAR(count_a / 4000.0, 0.25, 0.03);
}

TEST(ParzenEstimator, BandwidthsByHandAndUnitMass) {
  // Centers 0.2 and 0.5 on [0, 1]: n = 2, minimum sigma 1 / min(100, 3) = 1/3.
  // 0.2: gaps 0.2 (to 0) and 0.3 (to 0.5) -> 0.3, clipped up to 1/3.
  // 0.5: gaps 0.3 (to 0.2) and 0.5 (to 1) -> 0.5. Prior: mu 0.5, sigma 1.
  const ParzenEstimator estimator({0.5, 0.2}, 0.0, 1.0);
  EXPECT_EQ(estimator.mus(), (std::vector<double>{0.2, 0.5, 0.5}));
  ASSERT_EQ(estimator.sigmas().size(), 3u);
  EXPECT_DOUBLE_EQ(estimator.sigmas()[0], 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(estimator.sigmas()[1], 0.5);
  EXPECT_DOUBLE_EQ(estimator.sigmas()[2], 1.0);
  // Truncated to [0, 1], the mixture integrates to 1 (midpoint rule, 10000 cells).
  double mass = 0.0;
  for (int i = 0; i < 10000; ++i) mass += estimator.density((i + 0.5) / 10000.0) / 10000.0;
  EXPECT_NEAR(mass, 1.0, 1e-6);
  // At x = 0.2 by hand: mean of the three truncated normal densities.
  const auto truncated = [](double x, double mu, double s) {
    const auto cdf = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); };
    return std::exp(-0.5 * std::pow((x - mu) / s, 2)) / (s * std::sqrt(2 * M_PI)) / (cdf((1 - mu) / s) - cdf(-mu / s));
  };
  const double by_hand = (truncated(0.2, 0.2, 1.0 / 3) + truncated(0.2, 0.5, 0.5) + truncated(0.2, 0.5, 1.0)) / 3;
  EXPECT_NEAR(estimator.density(0.2), by_hand, 1e-12);
}

// Runs `budget` sequential trials maximizing -(x - 0.3)^2 on [-2, 2]; returns the mean
// distance to the optimum of the last half of the trials and the best trial's distance.
std::pair<double, double> quadratic_search(SearchMethod method, uint64_t seed, int64_t budget) {
  auto spec = bare_spec(method, seed, budget);
  spec.parameters = {range("x", ParamKind::kUniform, -2, 2)};
  spec.tpe.n_startup = 5;
  std::vector<CompletedTrial> completed;
  double late = 0.0;
  double best = 1e9;
  for (int64_t t = 0; t < budget; ++t) {
    const auto a = suggest_trial(spec, t, completed);
    const double x = std::stod(a.at(0).second);
    completed.push_back({a, -(x - 0.3) * (x - 0.3)});
    if (t >= budget / 2) late += std::abs(x - 0.3);
    best = std::min(best, std::abs(x - 0.3));
  }
  return {late / static_cast<double>(budget - budget / 2), best};
}

TEST(SweepTpe, MovesTowardTheOptimumMoreThanRandom) {
  // Fixed seeds: deterministic. Random's late trials sit about 1.02 from 0.3 on average ((2.3^2 + 1.7^2) / 8); TPE's
  // concentrate near it.
  double tpe_late = 0.0, random_late = 0.0;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    const auto tpe = quadratic_search(SearchMethod::kTpe, seed, 40);
    const auto random = quadratic_search(SearchMethod::kRandom, seed, 40);
    EXPECT_LT(tpe.first, random.first) << "seed " << seed;
    tpe_late += tpe.first;
    random_late += random.first;
  }
  EXPECT_LT(tpe_late, 0.5 * random_late);
}

TEST(SweepTpe, StartsRandomThenIsDeterministicGivenTheCompletedTrials) {
  auto spec = bare_spec(SearchMethod::kTpe, 3, 20);
  spec.parameters = {range("x", ParamKind::kUniform, 0, 1)};
  spec.tpe.n_startup = 3;
  std::vector<CompletedTrial> completed = {{{{"x", "0.1"}}, 1.0}, {{{"x", "0.9"}}, 0.0}};
  EXPECT_EQ(suggest_trial(spec, 2, completed), random_assignment(spec, 2));  // 2 < n_startup
  completed.push_back({{{"x", "0.5"}}, 0.5});
  EXPECT_EQ(suggest_trial(spec, 3, completed), suggest_trial(spec, 3, completed));
}

TEST(SweepTpe, PrefersTheChoiceOfTheGoodTrials) {
  auto spec = bare_spec(SearchMethod::kTpe, 9, 20);
  spec.parameters = {values("c", {"a", "b", "c"})};
  spec.tpe.n_startup = 1;
  std::vector<CompletedTrial> completed;
  for (int i = 0; i < 3; ++i) completed.push_back({{{"c", "b"}}, 1.0});
  for (int i = 0; i < 9; ++i) completed.push_back({{{"c", i % 2 ? "a" : "c"}}, 0.0});
  // gamma 0.25 of 12 -> the 3 good trials all chose b: l(b) = (3 + 1/3) / 4, g(b) = (1/3) / 10.
  for (int64_t t = 12; t < 17; ++t) EXPECT_EQ(suggest_trial(spec, t, completed).at(0).second, "b");
}

TEST(SweepTpe, ConditionalParameterModelledWhereActive) {
  auto spec = bare_spec(SearchMethod::kTpe, 2, 20);
  spec.parameters = {values("t", {"on", "off"}), range("x", ParamKind::kUniform, 0, 1)};
  spec.parameters[1].when = {{"t", "on"}};
  spec.tpe.n_startup = 2;
  std::vector<CompletedTrial> completed = {{{{"t", "off"}}, 1.0}, {{{"t", "on"}, {"x", "0.5"}}, 0.0},
                                           {{{"t", "off"}}, 0.9}};
  for (int64_t t = 3; t < 8; ++t) {
    const auto a = suggest_trial(spec, t, completed);
    EXPECT_EQ(a.size(), a.at(0).second == "on" ? 2u : 1u);
  }
}

}  // namespace
}  // namespace mmoe::experiments
