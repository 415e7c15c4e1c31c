// Median stopping and ASHA decisions on hand-made metric tables, and trial states from runs.
#include <gtest/gtest.h>

#include "experiments/sweep_pruning.h"
#include "experiments/sweep_trials.h"

namespace mmoe::experiments {
namespace {

EarlyTermination median(int64_t min_epochs, int64_t min_trials) {
  EarlyTermination policy;
  policy.method = PrunerKind::kMedian;
  policy.min_epochs = min_epochs;
  policy.min_trials = min_trials;
  return policy;
}

EarlyTermination asha(int64_t min_epochs, int64_t eta) {
  EarlyTermination policy;
  policy.method = PrunerKind::kAsha;
  policy.min_epochs = min_epochs;
  policy.eta = eta;
  return policy;
}

TEST(MedianStopping, StopsBelowTheMedianOfOthersAtTheEpoch) {
  // Others at epoch 2: 0.5, 0.7, 0.9 -> median 0.7.
  const std::vector<MetricCurve> others = {{{1, 0.4}, {2, 0.5}}, {{1, 0.6}, {2, 0.7}}, {{1, 0.1}, {2, 0.9}, {3, 0.95}}};
  const auto stop = early_stop_reason(median(1, 2), Direction::kMax, 10, {{1, 0.6}, {2, 0.65}}, others, 2);
  ASSERT_TRUE(stop);
  EXPECT_EQ(*stop, "median stopping at epoch 2: best so far 0.65 is worse than the median 0.7 of 3 other trials");
  // Best so far counts: 0.8 at epoch 1 beats the median 0.7 although epoch 2 is 0.6.
  EXPECT_FALSE(early_stop_reason(median(1, 2), Direction::kMax, 10, {{1, 0.8}, {2, 0.6}}, others, 2));
  // Equal to the median: not worse.
  EXPECT_FALSE(early_stop_reason(median(1, 2), Direction::kMax, 10, {{2, 0.7}}, others, 2));
}

TEST(MedianStopping, EvenCountGraceAndTooFewTrials) {
  const std::vector<MetricCurve> two = {{{1, 0.5}}, {{1, 0.7}}};  // median 0.6
  EXPECT_TRUE(early_stop_reason(median(1, 2), Direction::kMax, 10, {{1, 0.59}}, two, 1));
  EXPECT_FALSE(early_stop_reason(median(1, 2), Direction::kMax, 10, {{1, 0.61}}, two, 1));
  EXPECT_FALSE(early_stop_reason(median(2, 2), Direction::kMax, 10, {{1, 0.1}}, two, 1));  // grace epoch
  EXPECT_FALSE(early_stop_reason(median(1, 3), Direction::kMax, 10, {{1, 0.1}}, two, 1));  // 2 < min_trials
}

TEST(MedianStopping, MinimizedMetric) {
  const std::vector<MetricCurve> others = {{{1, 1.0}}, {{1, 2.0}}, {{1, 3.0}}};  // median 2
  EXPECT_TRUE(early_stop_reason(median(1, 1), Direction::kMin, 10, {{1, 2.5}}, others, 1));
  EXPECT_FALSE(early_stop_reason(median(1, 1), Direction::kMin, 10, {{1, 1.5}}, others, 1));
}

TEST(Asha, Rungs) {
  EXPECT_EQ(asha_rungs(asha(1, 3), 10), (std::vector<int64_t>{1, 3, 9}));
  EXPECT_EQ(asha_rungs(asha(1, 3), 9), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(asha_rungs(asha(2, 2), 16), (std::vector<int64_t>{2, 4, 8}));
}

TEST(Asha, KeepsTheTopOneOverEtaAtARung) {
  // Rung at epoch 1 (eta 3, rungs 1, 3, 9): five others there plus this trial, n = 6, keep 2,
  // threshold the 2nd best: 0.8.
  const std::vector<MetricCurve> others = {{{1, 0.9}}, {{1, 0.8}}, {{1, 0.7}}, {{1, 0.6}}, {{1, 0.5}}};
  const auto stop = early_stop_reason(asha(1, 3), Direction::kMax, 10, {{1, 0.75}}, others, 1);
  ASSERT_TRUE(stop);
  EXPECT_EQ(*stop, "asha rung at epoch 1: 0.75 is not in the top 2 of 6 trials (threshold 0.8)");
  EXPECT_FALSE(early_stop_reason(asha(1, 3), Direction::kMax, 10, {{1, 0.85}}, others, 1));
  EXPECT_FALSE(early_stop_reason(asha(1, 3), Direction::kMax, 10, {{1, 0.8}}, others, 1));  // tie continues
  EXPECT_FALSE(early_stop_reason(asha(1, 3), Direction::kMax, 10, {{1, 0.1}, {2, 0.1}}, others, 2));  // not a rung
}

TEST(Asha, OnlyTrialsThatReachedTheRungCompeteWithTheirBestSoFar) {
  // Rung 3. Other A ended at epoch 2 (not there yet); other B's best up to 3 is 0.9 (epoch 2).
  // n = 2, keep max(1, 2 / 3) = 1: the threshold is B's 0.9.
  const std::vector<MetricCurve> others = {{{1, 0.99}, {2, 0.99}}, {{1, 0.2}, {2, 0.9}, {3, 0.3}}};
  EXPECT_TRUE(early_stop_reason(asha(1, 3), Direction::kMax, 10, {{1, 0.5}, {2, 0.5}, {3, 0.6}}, others, 3));
  EXPECT_FALSE(early_stop_reason(asha(1, 3), Direction::kMax, 10, {{1, 0.5}, {2, 0.95}, {3, 0.6}}, others, 3));
  // Alone at a rung: continues.
  EXPECT_FALSE(early_stop_reason(asha(1, 3), Direction::kMax, 10, {{1, 0.0}}, {}, 1));
}

tracking::SweepRunRecord run(const std::string& id, int64_t trial, const std::string& status,
                             const std::string& stopped = "", MetricCurve curve = {}) {
  tracking::SweepRunRecord r;
  r.run_id = id;
  r.trial = trial;
  r.status = status;
  r.stopped_early = stopped;
  r.curve = std::move(curve);
  return r;
}

TEST(SweepTrials, StatesFromRuns) {
  const std::vector<tracking::SweepRunRecord> runs = {
      run("r0", 0, "failed"), run("r0b", 0, "finished", "", {{1, 0.5}, {2, 0.7}, {3, 0.6}}),
      run("r1", 1, "failed"), run("r1b", 1, "failed"),
      run("r2", 2, "interrupted", "asha", {{1, 0.8}}),
      run("r3", 3, "interrupted"),
      run("r5", 5, "running")};
  const auto trials = summarize_trials(runs, {}, 5, /*max_retries=*/1, Direction::kMax, /*running_is_live=*/false);
  ASSERT_EQ(trials.size(), 6u);  // 0..4 planned, plus 5 which has a run
  EXPECT_EQ(trials[0].state, TrialState::kDone);
  EXPECT_EQ(trials[0].run_id, "r0b");
  EXPECT_EQ(trials[0].failures, 1);
  EXPECT_DOUBLE_EQ(*trials[0].objective, 0.7);
  EXPECT_EQ(trials[0].objective_epoch, 2);
  EXPECT_EQ(trials[1].state, TrialState::kExhausted);  // 2 failures > 1 retry
  EXPECT_EQ(trials[2].state, TrialState::kDone);
  EXPECT_EQ(trials[2].status, "stopped early");
  EXPECT_EQ(trials[3].state, TrialState::kPending);  // interrupted, not by early termination
  EXPECT_EQ(trials[4].state, TrialState::kPending);
  EXPECT_EQ(trials[4].status, "pending");
  EXPECT_EQ(trials[5].state, TrialState::kPending);  // its sweep process is gone
  EXPECT_EQ(summarize_trials(runs, {}, 5, 1, Direction::kMax, true)[5].state, TrialState::kRunning);
  EXPECT_EQ(summarize_trials(runs, {}, 5, 2, Direction::kMax, false)[1].state, TrialState::kPending);
  // Launches that failed before creating a run count as failures: trial 4 had two.
  const auto launches = summarize_trials(runs, {{4, "x=1\n", 2}}, 5, 1, Direction::kMax, false);
  EXPECT_EQ(launches[4].failures, 2);
  EXPECT_EQ(launches[4].state, TrialState::kExhausted);

  const auto best = best_trial(trials, Direction::kMax);
  ASSERT_TRUE(best);
  EXPECT_EQ(best->trial, 2);  // 0.8 beats 0.7
  EXPECT_EQ(best_trial(trials, Direction::kMin)->trial, 0);  // the smaller objective, 0.7

  const auto done = completed_trials(trials, {{0, "x=1\n"}, {2, "x=2\n"}, {3, "x=3\n"}});
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[1].assignment, (TrialAssignment{{"x", "2"}}));
  EXPECT_DOUBLE_EQ(done[1].objective, 0.8);
}

}  // namespace
}  // namespace mmoe::experiments
