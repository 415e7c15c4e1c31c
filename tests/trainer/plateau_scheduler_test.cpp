// PlateauScheduler against torch.optim.lr_scheduler.ReduceLROnPlateau. Each expected sequence is
// worked by hand from PyTorch's step():
//   if is_better(value, best): best = value; bad = 0  else: bad += 1
//   if cooldown_counter > 0:   cooldown_counter -= 1; bad = 0
//   if bad > patience:         lr = max(lr * factor, min_lr) per group (kept if old - new <= eps);
//                              cooldown_counter = cooldown; bad = 0
//   is_better: min/rel v < best*(1-t), min/abs v < best-t, max/rel v > best*(1+t), max/abs v > best+t
#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "trainer/plateau_scheduler.h"

namespace mmoe::trainer {
namespace {

// Feeds `values` one per epoch to a single-group scheduler starting at `lr`; returns the lr after
// each step.
std::vector<double> plateau_lr_sequence(PlateauScheduler& scheduler, double lr, const std::vector<double>& values) {
  std::vector<double> lrs;
  for (double value : values) {
    lr = scheduler.step(value, {lr})[0];
    lrs.push_back(lr);
  }
  return lrs;
}

void expect_plateau_lrs(const std::vector<double>& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_DOUBLE_EQ(actual[i], expected[i]) << "after step " << i + 1;
}

PlateauOptions plateau_options(PlateauMode mode, PlateauThresholdMode threshold_mode, double threshold,
                               int64_t patience, double factor) {
  PlateauOptions options;
  options.mode = mode;
  options.threshold_mode = threshold_mode;
  options.threshold = threshold;
  options.patience = patience;
  options.factor = factor;
  return options;
}

TEST(PlateauScheduler, StartsAtWorstValueOfItsMode) {
  EXPECT_EQ(PlateauScheduler(PlateauOptions{}).best(), std::numeric_limits<double>::infinity());
  PlateauOptions max;
  max.mode = PlateauMode::kMax;
  EXPECT_EQ(PlateauScheduler(max).best(), -std::numeric_limits<double>::infinity());
}

TEST(PlateauScheduler, MinRelative) {
  // threshold 0.1 rel, patience 2, factor 0.5, lr 1
  PlateauScheduler s(plateau_options(PlateauMode::kMin, PlateauThresholdMode::kRel, 0.1, 2, 0.5));
  // 10   better than inf          best 10   bad 0
  // 9.5  9.5 < 10*0.9 = 9? no     bad 1
  // 9.1  no                        bad 2 (not > 2)
  // 8.9  8.9 < 9 yes               best 8.9 bad 0
  // 9.0  9.0 < 8.01? no            bad 1
  // 8.5  no                        bad 2
  // 8.2  no                        bad 3 > 2 -> lr 0.5, bad 0
  // 8.0  8.0 < 8.01 yes            best 8.0
  expect_plateau_lrs(plateau_lr_sequence(s, 1.0, {10, 9.5, 9.1, 8.9, 9.0, 8.5, 8.2, 8.0}),
                     {1, 1, 1, 1, 1, 1, 0.5, 0.5});
  EXPECT_DOUBLE_EQ(s.best(), 8.0);
  EXPECT_EQ(s.num_bad_epochs(), 0);
}

TEST(PlateauScheduler, MinAbsolute) {
  // threshold 0.5 abs, patience 1, factor 0.1, lr 1
  PlateauScheduler s(plateau_options(PlateauMode::kMin, PlateauThresholdMode::kAbs, 0.5, 1, 0.1));
  // 5.0   better than inf        best 5.0
  // 4.6   4.6 < 4.5? no          bad 1 (not > 1)
  // 4.4   4.4 < 4.5 yes          best 4.4 bad 0
  // 4.0   4.0 < 3.9? no          bad 1
  // 3.95  no                     bad 2 > 1 -> lr 0.1
  // 3.85  3.85 < 3.9 yes         best 3.85
  expect_plateau_lrs(plateau_lr_sequence(s, 1.0, {5.0, 4.6, 4.4, 4.0, 3.95, 3.85}), {1, 1, 1, 1, 0.1, 0.1});
  EXPECT_DOUBLE_EQ(s.best(), 3.85);
}

TEST(PlateauScheduler, RelativeAndAbsoluteThresholdsDiffer) {
  // min, threshold 0.1, patience 0, values 10 then 9.5:
  //   rel: 9.5 < 10 * 0.9 = 9? no -> bad 1 > 0 -> reduce.   abs: 9.5 < 10 - 0.1 = 9.9? yes -> keep.
  PlateauScheduler rel(plateau_options(PlateauMode::kMin, PlateauThresholdMode::kRel, 0.1, 0, 0.5));
  PlateauScheduler abs(plateau_options(PlateauMode::kMin, PlateauThresholdMode::kAbs, 0.1, 0, 0.5));
  expect_plateau_lrs(plateau_lr_sequence(rel, 1.0, {10, 9.5}), {1, 0.5});
  expect_plateau_lrs(plateau_lr_sequence(abs, 1.0, {10, 9.5}), {1, 1});
}

TEST(PlateauScheduler, MaxRelative) {
  // threshold 0.1 rel, patience 0, factor 0.5, lr 0.8
  PlateauScheduler s(plateau_options(PlateauMode::kMax, PlateauThresholdMode::kRel, 0.1, 0, 0.5));
  // 0.5   better than -inf            best 0.5
  // 0.54  0.54 > 0.5*1.1 = 0.55? no   bad 1 > 0 -> lr 0.4
  // 0.56  0.56 > 0.55 yes             best 0.56
  // 0.6   0.6 > 0.616? no             bad 1 -> lr 0.2
  // 0.7   0.7 > 0.616 yes             best 0.7
  expect_plateau_lrs(plateau_lr_sequence(s, 0.8, {0.5, 0.54, 0.56, 0.6, 0.7}), {0.8, 0.4, 0.4, 0.2, 0.2});
  EXPECT_DOUBLE_EQ(s.best(), 0.7);
}

TEST(PlateauScheduler, MaxAbsolute) {
  // threshold 0.05 abs, patience 1, factor 0.5, lr 1
  PlateauScheduler s(plateau_options(PlateauMode::kMax, PlateauThresholdMode::kAbs, 0.05, 1, 0.5));
  // 0.5   best 0.5
  // 0.54  0.54 > 0.55? no    bad 1
  // 0.56  0.56 > 0.55 yes    best 0.56 bad 0
  // 0.58  0.58 > 0.61? no    bad 1
  // 0.6   no                 bad 2 > 1 -> lr 0.5
  expect_plateau_lrs(plateau_lr_sequence(s, 1.0, {0.5, 0.54, 0.56, 0.58, 0.6}), {1, 1, 1, 1, 0.5});
  EXPECT_DOUBLE_EQ(s.best(), 0.56);
}

TEST(PlateauScheduler, ReducesAfterPatiencePlusOneBadEpochs) {
  // patience 3, factor 0.1, constant value: step 1 sets best; steps 2..4 are bad epochs 1..3;
  // step 5 is bad epoch 4 > 3 -> reduce and reset; steps 6..8 bad 1..3; step 9 reduces again.
  PlateauScheduler s(plateau_options(PlateauMode::kMin, PlateauThresholdMode::kRel, 1e-4, 3, 0.1));
  expect_plateau_lrs(plateau_lr_sequence(s, 1.0, std::vector<double>(9, 1.0)),
                     {1, 1, 1, 1, 0.1, 0.1, 0.1, 0.1, 0.01});
}

TEST(PlateauScheduler, CooldownIgnoresBadEpochs) {
  // patience 1, cooldown 2, factor 0.5, constant value 1.0, lr 1
  //  1: best 1                                     lr 1
  //  2: bad 1                                      lr 1
  //  3: bad 2 > 1 -> lr 0.5, cooldown 2, bad 0
  //  4: bad 1; cooldown 2 -> 1, bad 0              lr 0.5
  //  5: bad 1; cooldown 1 -> 0, bad 0              lr 0.5
  //  6: bad 1 (not in cooldown)                    lr 0.5
  //  7: bad 2 > 1 -> lr 0.25, cooldown 2
  //  8, 9: cooldown; 10: bad 1; 11: bad 2 -> 0.125
  auto options = plateau_options(PlateauMode::kMin, PlateauThresholdMode::kRel, 1e-4, 1, 0.5);
  options.cooldown = 2;
  PlateauScheduler s(options);
  expect_plateau_lrs(plateau_lr_sequence(s, 1.0, std::vector<double>(3, 1.0)), {1, 1, 0.5});
  EXPECT_EQ(s.cooldown_counter(), 2);
  EXPECT_EQ(s.num_bad_epochs(), 0);
  expect_plateau_lrs(plateau_lr_sequence(s, 0.5, {1.0}), {0.5});
  EXPECT_EQ(s.cooldown_counter(), 1);
  EXPECT_EQ(s.num_bad_epochs(), 0);
  expect_plateau_lrs(plateau_lr_sequence(s, 0.5, std::vector<double>(8, 1.0)),
                     {0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.125, 0.125});

  // Without cooldown the same values reduce every second epoch after the first: 3, 5, 7, ...
  PlateauScheduler no_cooldown(plateau_options(PlateauMode::kMin, PlateauThresholdMode::kRel, 1e-4, 1, 0.5));
  expect_plateau_lrs(plateau_lr_sequence(no_cooldown, 1.0, std::vector<double>(7, 1.0)),
                     {1, 1, 0.5, 0.5, 0.25, 0.25, 0.125});
}

TEST(PlateauScheduler, MinLrPerGroup) {
  // patience 0, factor 0.5; groups start at {1.0, 0.1} with min_lrs {0.3, 0.05}; constant value.
  //  1: best                       {1.0, 0.1}
  //  2: max(0.5, 0.3), max(0.05, 0.05)   {0.5, 0.05}
  //  3: max(0.25, 0.3) = 0.3; group 1: 0.05 - 0.05 = 0 <= eps, kept   {0.3, 0.05}
  //  4: group 0: 0.3 - 0.3 = 0, kept                                   {0.3, 0.05}
  auto options = plateau_options(PlateauMode::kMin, PlateauThresholdMode::kRel, 1e-4, 0, 0.5);
  options.min_lrs = {0.3, 0.05};
  PlateauScheduler s(options);
  std::vector<double> lrs = {1.0, 0.1};
  const std::vector<std::vector<double>> expected = {{1.0, 0.1}, {0.5, 0.05}, {0.3, 0.05}, {0.3, 0.05}};
  for (size_t step = 0; step < expected.size(); ++step) {
    lrs = s.step(1.0, lrs);
    ASSERT_EQ(lrs.size(), 2u);
    EXPECT_DOUBLE_EQ(lrs[0], expected[step][0]) << "step " << step + 1;
    EXPECT_DOUBLE_EQ(lrs[1], expected[step][1]) << "step " << step + 1;
  }
}

TEST(PlateauScheduler, SingleMinLrAppliesToEveryGroup) {
  // patience 0, factor 0.5, min_lr 0.2 for both groups {1.0, 0.4}:
  //  1: {1.0, 0.4}  2: {0.5, 0.2}  3: {0.25, 0.2}  4: {0.2, 0.2}  5: {0.2, 0.2}
  auto options = plateau_options(PlateauMode::kMin, PlateauThresholdMode::kRel, 1e-4, 0, 0.5);
  options.min_lrs = {0.2};
  PlateauScheduler s(options);
  std::vector<double> lrs = {1.0, 0.4};
  const std::vector<std::vector<double>> expected = {{1.0, 0.4}, {0.5, 0.2}, {0.25, 0.2}, {0.2, 0.2}, {0.2, 0.2}};
  for (size_t step = 0; step < expected.size(); ++step) {
    lrs = s.step(1.0, lrs);
    EXPECT_DOUBLE_EQ(lrs[0], expected[step][0]) << "step " << step + 1;
    EXPECT_DOUBLE_EQ(lrs[1], expected[step][1]) << "step " << step + 1;
  }
}

TEST(PlateauScheduler, ChangeNotAboveEpsIsSkippedPerGroup) {
  // eps 1e-3, factor 0.5, patience 0. Groups {1e-3, 1.0, 0.1}:
  //  group 0: 1e-3 -> 5e-4, change 5e-4 <= 1e-3: skipped, stays 1e-3
  //  group 1: 1.0 -> 0.5, change 0.5 > eps: applied
  //  group 2: 0.1 -> 0.05, applied
  auto options = plateau_options(PlateauMode::kMin, PlateauThresholdMode::kRel, 1e-4, 0, 0.5);
  options.eps = 1e-3;
  PlateauScheduler s(options);
  auto lrs = s.step(1.0, {1e-3, 1.0, 0.1});
  lrs = s.step(1.0, lrs);
  ASSERT_EQ(lrs.size(), 3u);
  EXPECT_DOUBLE_EQ(lrs[0], 1e-3);
  EXPECT_DOUBLE_EQ(lrs[1], 0.5);
  EXPECT_DOUBLE_EQ(lrs[2], 0.05);
  // Next reduction: 0.5 -> 0.25 and 0.05 -> 0.025 (changes 0.25, 0.025 > 1e-3); 1e-3 still kept.
  lrs = s.step(1.0, lrs);
  EXPECT_DOUBLE_EQ(lrs[0], 1e-3);
  EXPECT_DOUBLE_EQ(lrs[1], 0.25);
  EXPECT_DOUBLE_EQ(lrs[2], 0.025);
}

TEST(PlateauScheduler, StateRoundTripContinuesIdentically) {
  // patience 1, cooldown 2, min rel, factor 0.5.
  auto options = plateau_options(PlateauMode::kMin, PlateauThresholdMode::kRel, 0.1, 1, 0.5);
  options.cooldown = 2;
  PlateauScheduler original(options);
  // 10: best 10.  9.5 (< 9? no): bad 1.  9.4: bad 2 > 1 -> lr 0.5, cooldown 2.  9.3: cooldown 1.
  const auto before = plateau_lr_sequence(original, 1.0, {10, 9.5, 9.4, 9.3});
  expect_plateau_lrs(before, {1, 1, 0.5, 0.5});
  const auto state = original.state();
  ASSERT_EQ(state.size(), 4u);
  EXPECT_DOUBLE_EQ(state[0], 10.0);  // best
  EXPECT_DOUBLE_EQ(state[1], 0.0);   // bad epochs (reset by cooldown)
  EXPECT_DOUBLE_EQ(state[2], 1.0);   // cooldown counter
  EXPECT_DOUBLE_EQ(state[3], 4.0);   // last epoch

  PlateauScheduler restored(options);
  restored.load_state(state);
  EXPECT_EQ(restored.state(), state);
  const std::vector<double> next = {9.2, 9.1, 9.05, 8.5, 8.4, 8.3, 8.2};
  const auto continued = plateau_lr_sequence(original, 0.5, next);
  const auto resumed = plateau_lr_sequence(restored, 0.5, next);
  EXPECT_EQ(resumed, continued);
  EXPECT_EQ(restored.state(), original.state());
  // By hand: 9.2 cooldown 1 -> 0; 9.1 bad 1; 9.05 (< 9? no) bad 2 -> 0.25, cooldown 2;
  // 8.5 (< 9? yes) best 8.5, cooldown -> 1; 8.4 (< 7.65? no) bad 1, cooldown -> 0, bad 0;
  // 8.3 bad 1; 8.2 bad 2 -> 0.125.
  expect_plateau_lrs(continued, {0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.125});

  // A fresh scheduler's state survives the round trip too (best = +inf).
  PlateauScheduler fresh(options);
  PlateauScheduler fresh_copy(options);
  fresh_copy.load_state(fresh.state());
  EXPECT_EQ(fresh_copy.best(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(plateau_lr_sequence(fresh_copy, 1.0, {3, 3, 3}), plateau_lr_sequence(fresh, 1.0, {3, 3, 3}));
}

}  // namespace
}  // namespace mmoe::trainer
