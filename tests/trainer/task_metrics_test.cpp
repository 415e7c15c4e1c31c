// TaskMetricAccumulator on small batches whose metrics are worked out by hand; unlabelled rows
// (-1 for multiclass, a NaN row for multilabel / regression) must not count anywhere.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include <torch/torch.h>

#include "trainer/task_metrics.h"

namespace mmoe::trainer {
namespace {

constexpr float kMetricsNan = std::numeric_limits<float>::quiet_NaN();

models::TaskHeadSpec metrics_head(TaskType type, int64_t output_dim) {
  models::TaskHeadSpec spec;
  spec.name = "task";
  spec.type = type;
  spec.output_dim = output_dim;
  return spec;
}

TEST(TaskMetricAccumulator, MulticlassIgnoresUnlabelledRow) {
  TaskMetricAccumulator acc(metrics_head(TaskType::kMulticlass, 3));
  // row  logits       argmax  label
  //  0   [2, 0, 0]      0       0     correct
  //  1   [0, 3, 1]      1       1     correct
  //  2   [1, 0, 4]      2       1     wrong
  //  3   [0, 5, 0]      1      -1     unlabelled: ignored
  //  4   [0, 1, 2]      2       0     wrong
  const auto logits = torch::tensor({2.f, 0.f, 0.f, 0.f, 3.f, 1.f, 1.f, 0.f, 4.f, 0.f, 5.f, 0.f, 0.f, 1.f, 2.f})
                          .reshape({5, 3});
  const auto labels = torch::tensor({0, 1, 1, -1, 0}, torch::kInt64);
  acc.add_predictions(logits, labels);
  const auto scores = acc.scores();
  EXPECT_EQ(scores.labelled_rows, 4);
  // accuracy 2 / 4
  ASSERT_TRUE(scores.accuracy.has_value());
  EXPECT_DOUBLE_EQ(*scores.accuracy, 0.5);
  // class 0: tp 1 (row 0), fp 0, fn 1 (row 4) -> 2/3, support 2
  // class 1: tp 1 (row 1), fp 0 (row 3 ignored), fn 1 (row 2) -> 2/3, support 2
  // class 2: tp 0, fp 2 (rows 2, 4), fn 0 -> 0, support 0
  // weighted = (2 * 2/3 + 2 * 2/3 + 0) / 4 = 2/3; macro = (2/3 + 2/3 + 0) / 3 = 4/9; micro = 0.5
  ASSERT_TRUE(scores.weighted_f1.has_value());
  EXPECT_DOUBLE_EQ(*scores.weighted_f1, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(*scores.macro_f1, 4.0 / 9.0);
  EXPECT_DOUBLE_EQ(*scores.micro_f1, 0.5);
  EXPECT_FALSE(scores.mae.has_value());
  EXPECT_FALSE(scores.rmse.has_value());
  EXPECT_FALSE(scores.loss.has_value());  // no add_loss yet
}

TEST(TaskMetricAccumulator, MulticlassAccumulatesOverBatches) {
  // The same five rows in two batches give the same scores as one batch.
  TaskMetricAccumulator acc(metrics_head(TaskType::kMulticlass, 3));
  acc.add_predictions(torch::tensor({2.f, 0.f, 0.f, 0.f, 3.f, 1.f}).reshape({2, 3}),
                      torch::tensor({0, 1}, torch::kInt64));
  acc.add_predictions(torch::tensor({1.f, 0.f, 4.f, 0.f, 5.f, 0.f, 0.f, 1.f, 2.f}).reshape({3, 3}),
                      torch::tensor({1, -1, 0}, torch::kInt64));
  const auto scores = acc.scores();
  EXPECT_EQ(scores.labelled_rows, 4);
  EXPECT_DOUBLE_EQ(*scores.accuracy, 0.5);
  EXPECT_DOUBLE_EQ(*scores.weighted_f1, 2.0 / 3.0);
}

TEST(TaskMetricAccumulator, NoLabelledRowsGivesNoScores) {
  TaskMetricAccumulator acc(metrics_head(TaskType::kMulticlass, 3));
  acc.add_predictions(torch::zeros({2, 3}), torch::tensor({-1, -1}, torch::kInt64));
  const auto scores = acc.scores();
  EXPECT_EQ(scores.labelled_rows, 0);
  EXPECT_FALSE(scores.accuracy.has_value());
  EXPECT_FALSE(scores.weighted_f1.has_value());
}

TEST(TaskMetricAccumulator, MultilabelThresholdOnSigmoidIgnoresNanRow) {
  TaskMetricAccumulator acc(metrics_head(TaskType::kMultilabel, 3), {0.5, {}});
  // sigmoid(logit) >= 0.5 iff logit >= 0 (no logit here is 0):
  // row  logits          predicted  label
  //  0   [ 2, -1,  3]    [1, 0, 1]  [1, 1, 0]
  //  1   [-2,  1, -1]    [0, 1, 0]  [1, 1, 1]
  //  2   [ 5,  5,  5]    [1, 1, 1]  NaN row: ignored (would add 3 false positives)
  //  3   [ 1, -3, 0.5]   [1, 0, 1]  [1, 0, 1]
  const auto logits = torch::tensor({2.f, -1.f, 3.f, -2.f, 1.f, -1.f, 5.f, 5.f, 5.f, 1.f, -3.f, 0.5f}).reshape({4, 3});
  const auto labels = torch::tensor({1.f, 1.f, 0.f,                             //
                                     1.f, 1.f, 1.f,                             //
                                     kMetricsNan, kMetricsNan, kMetricsNan,     //
                                     1.f, 0.f, 1.f})
                          .reshape({4, 3});
  acc.add_predictions(logits, labels);
  const auto scores = acc.scores();
  EXPECT_EQ(scores.labelled_rows, 3);
  // label 0: tp 2 (rows 0, 3), fp 0, fn 1 (row 1) -> 4/5,  positives 3
  // label 1: tp 1 (row 1), fp 0, fn 1 (row 0)     -> 2/3,  positives 2
  // label 2: tp 1 (row 3), fp 1 (row 0), fn 1 (row 1) -> 1/2, positives 2
  // micro: tp 4, fp 1, fn 3 -> 8 / 12 = 2/3
  // macro: (4/5 + 2/3 + 1/2) / 3 = 59/90
  // weighted: (3 * 4/5 + 2 * 2/3 + 2 * 1/2) / 7 = (12/5 + 4/3 + 1) / 7 = (71/15) / 7 = 71/105
  ASSERT_TRUE(scores.micro_f1.has_value());
  EXPECT_DOUBLE_EQ(*scores.micro_f1, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(*scores.macro_f1, 59.0 / 90.0);
  EXPECT_DOUBLE_EQ(*scores.weighted_f1, 71.0 / 105.0);
  EXPECT_FALSE(scores.accuracy.has_value());
  EXPECT_FALSE(scores.mae.has_value());
}

TEST(TaskMetricAccumulator, MultilabelHonoursThreshold) {
  // threshold 0.8: sigmoid(1) = 0.731 -> 0, sigmoid(2) = 0.881 -> 1, sigmoid(-1) = 0.269 -> 0.
  // One label, rows: (logit 1, label 1) fn; (2, 1) tp; (-1, 0) tn; (2, 0) fp.
  // tp 1, fp 1, fn 1 -> F1 1/2 (at 0.5 it would be tp 2, fp 1, fn 0 -> 4/5).
  const auto logits = torch::tensor({1.f, 2.f, -1.f, 2.f}).reshape({4, 1});
  const auto labels = torch::tensor({1.f, 1.f, 0.f, 0.f}).reshape({4, 1});
  TaskMetricAccumulator strict(metrics_head(TaskType::kMultilabel, 1), {0.8, {}});
  strict.add_predictions(logits, labels);
  EXPECT_DOUBLE_EQ(*strict.scores().micro_f1, 0.5);
  TaskMetricAccumulator half(metrics_head(TaskType::kMultilabel, 1), {0.5, {}});
  half.add_predictions(logits, labels);
  EXPECT_DOUBLE_EQ(*half.scores().micro_f1, 0.8);
}

TEST(TaskMetricAccumulator, RegressionMaeRmseIgnoreNanRows) {
  TaskMetricAccumulator acc(metrics_head(TaskType::kRegression, 1));
  // outputs [1, 2, 3, 4], labels [1.5, NaN, 2, 6]: errors -0.5, (ignored), 1, -2
  // MAE = (0.5 + 1 + 2) / 3 = 7/6;  RMSE = sqrt((0.25 + 1 + 4) / 3) = sqrt(1.75)
  acc.add_predictions(torch::tensor({1.f, 2.f, 3.f, 4.f}).reshape({4, 1}),
                      torch::tensor({1.5f, kMetricsNan, 2.f, 6.f}).reshape({4, 1}));
  const auto scores = acc.scores();
  EXPECT_EQ(scores.labelled_rows, 3);
  ASSERT_TRUE(scores.mae.has_value());
  EXPECT_DOUBLE_EQ(*scores.mae, 7.0 / 6.0);
  EXPECT_DOUBLE_EQ(*scores.rmse, std::sqrt(1.75));
  EXPECT_FALSE(scores.accuracy.has_value());
  EXPECT_FALSE(scores.weighted_f1.has_value());
}

TEST(TaskMetricAccumulator, RegressionWithTwoOutputsCountsEveryLabelledValue) {
  TaskMetricAccumulator acc(metrics_head(TaskType::kRegression, 2));
  // outputs [[1, 2], [0, 0], [3, 1]], labels [[2, 2], [NaN, 1], [1, 1]]:
  // row 1 has a NaN so is unlabelled; errors over 4 values: -1, 0, 2, 0
  // MAE = 3 / 4 = 0.75;  RMSE = sqrt((1 + 4) / 4) = sqrt(1.25)
  acc.add_predictions(torch::tensor({1.f, 2.f, 0.f, 0.f, 3.f, 1.f}).reshape({3, 2}),
                      torch::tensor({2.f, 2.f, kMetricsNan, 1.f, 1.f, 1.f}).reshape({3, 2}));
  const auto scores = acc.scores();
  EXPECT_EQ(scores.labelled_rows, 2);
  EXPECT_DOUBLE_EQ(*scores.mae, 0.75);
  EXPECT_DOUBLE_EQ(*scores.rmse, std::sqrt(1.25));
}

TEST(TaskMetricAccumulator, LossIsMeanOverLabelledRows) {
  TaskMetricAccumulator acc(metrics_head(TaskType::kRegression, 1));
  // batch 1: mean 1.5 over 2 rows (sum 3); batch 2: mean 0.5 over 2 rows (sum 1);
  // batch 3: no labelled rows. Mean = (3 + 1 + 0) / (2 + 2 + 0) = 1.
  acc.add_loss(3.0, 2);
  acc.add_loss(1.0, 2);
  acc.add_loss(0.0, 0);
  ASSERT_TRUE(acc.scores().loss.has_value());
  EXPECT_DOUBLE_EQ(*acc.scores().loss, 1.0);
  // batch 4: sum 5 over 1 row -> (3 + 1 + 5) / 5 = 1.8
  acc.add_loss(5.0, 1);
  EXPECT_DOUBLE_EQ(*acc.scores().loss, 1.8);
}

}  // namespace
}  // namespace mmoe::trainer
