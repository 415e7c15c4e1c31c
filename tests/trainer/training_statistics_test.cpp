// What the model takes from the training split, against numbers worked out by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "trainer/train_error.h"
#include "trainer/training_statistics.h"

namespace mmoe::trainer {
namespace {

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();

TEST(TrainingStatistics, BalancedClassWeightsAreNOverCTimesCount) {
  // 6 labelled rows over 3 classes: counts 3, 2, 1 (one missing row, class 3 of 4 absent).
  const auto labels = torch::tensor({0, 0, 0, 1, 1, 2, -1}, torch::kLong);
  const auto w = balanced_class_weights(labels, 4, "tasks.x.class_weights");
  ASSERT_EQ(w.size(), 4u);
  EXPECT_DOUBLE_EQ(w[0], 6.0 / (4 * 3));
  EXPECT_DOUBLE_EQ(w[1], 6.0 / (4 * 2));
  EXPECT_DOUBLE_EQ(w[2], 6.0 / (4 * 1));
  EXPECT_DOUBLE_EQ(w[3], 1.0);  // absent from training: neutral
}

TEST(TrainingStatistics, BalancedWeightsNeedLabelledRows) {
  try {
    balanced_class_weights(torch::tensor({-1, -1}, torch::kLong), 2, "tasks.x.class_weights");
    FAIL() << "expected TrainError";
  } catch (const TrainError& e) {
    EXPECT_STREQ(e.what(),
                 "tasks.x.class_weights: 'balanced' needs labelled rows, but the training split has none for this "
                 "task");
  }
  EXPECT_THROW(balanced_pos_weight(torch::full({2, 3}, kNan), "tasks.y.pos_weight"), TrainError);
}

TEST(TrainingStatistics, BalancedPosWeightIsNegativesOverPositivesOfLabelledRows) {
  // rows: [1,0], [1,1], [0,0], missing; label 0: 2 pos 1 neg; label 1: 1 pos 2 neg.
  const auto labels = torch::tensor({1.f, 0.f, 1.f, 1.f, 0.f, 0.f, kNan, kNan}).reshape({4, 2});
  const auto w = balanced_pos_weight(labels, "tasks.y.pos_weight");
  ASSERT_EQ(w.size(), 2u);
  EXPECT_DOUBLE_EQ(w[0], 0.5);
  EXPECT_DOUBLE_EQ(w[1], 2.0);
  // A label with no positive keeps 1.
  EXPECT_DOUBLE_EQ(balanced_pos_weight(torch::zeros({3, 1}), "p")[0], 1.0);
}

TEST(TrainingStatistics, TargetStatisticsSkipMissingValuesPerOutput) {
  // output 0: 1, 3 (NaN skipped) -> mean 2, std 1; output 1: 5, 5, 5 -> mean 5, std 0 -> 1.
  const auto y = torch::tensor({1.f, 5.f, kNan, 5.f, 3.f, 5.f}).reshape({3, 2});
  const auto stats = target_statistics(y, "tasks.z.standardize_target");
  ASSERT_EQ(stats.mean.size(), 2u);
  EXPECT_DOUBLE_EQ(stats.mean[0], 2.0);
  EXPECT_DOUBLE_EQ(stats.std[0], 1.0);
  EXPECT_DOUBLE_EQ(stats.mean[1], 5.0);
  EXPECT_DOUBLE_EQ(stats.std[1], 1.0);
  const auto one_output = target_statistics(torch::tensor({2.f, 4.f, kNan}), "t");  // [N] reads as [N, 1]
  EXPECT_DOUBLE_EQ(one_output.mean[0], 3.0);

  try {
    target_statistics(torch::tensor({1.f, kNan, 2.f, kNan}).reshape({2, 2}), "tasks.z.standardize_target");
    FAIL() << "expected TrainError";
  } catch (const TrainError& e) {
    EXPECT_STREQ(e.what(),
                 "tasks.z.standardize_target: output 1 has no labelled value in the training split, so it cannot "
                 "be standardised");
  }
}

TEST(TrainingStatistics, ApplyFillsBalancedWeightsAndTargetStatisticsOnlyWhereConfigured) {
  experiments::Config config;
  config.tasks["a"].class_weights.mode = experiments::LabelWeights::Mode::kBalanced;
  config.tasks["r"].standardize_target = true;
  data::SplitData train;
  train.features = torch::zeros({4, 2});
  train.labels = {torch::tensor({0, 1, 1, 1}, torch::kLong), torch::tensor({0, 1, 1, 1}, torch::kLong),
                  torch::tensor({1.f, 2.f, 3.f, 4.f}).reshape({4, 1})};
  std::vector<models::TaskHeadSpec> heads(3);
  heads[0].name = "a";
  heads[1].name = "b";  // not configured: untouched
  heads[2].name = "r";
  heads[2].type = TaskType::kRegression;
  heads[2].output_dim = 1;
  apply_training_statistics(config, train, heads);
  EXPECT_EQ(heads[0].class_weights, (std::vector<double>{2.0, 4.0 / 6.0}));
  EXPECT_TRUE(heads[1].class_weights.empty());
  ASSERT_EQ(heads[2].target_mean.size(), 1u);
  EXPECT_DOUBLE_EQ(heads[2].target_mean[0], 2.5);
  EXPECT_DOUBLE_EQ(heads[2].target_std[0], std::sqrt(1.25));
}

}  // namespace
}  // namespace mmoe::trainer
