// Per-class scores, samples F1, ROC AUC (with ties) and R^2 against values worked out by hand,
// and the mergeable state: three accumulators summed give exactly the one-accumulator metrics.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include <torch/torch.h>

#include "trainer/binary_auc.h"
#include "trainer/task_metrics.h"

namespace mmoe::trainer {
namespace {

constexpr float kMissingLabel = std::numeric_limits<float>::quiet_NaN();

models::TaskHeadSpec metric_head(TaskType type, int64_t output_dim) {
  models::TaskHeadSpec spec;
  spec.name = "task";
  spec.type = type;
  spec.output_dim = output_dim;
  return spec;
}

void expect_class(const ClassScores& c, int64_t index, const std::string& name, double precision, double recall,
                  double f1, int64_t support) {
  EXPECT_EQ(c.class_index, index);
  EXPECT_EQ(c.class_name, name);
  EXPECT_DOUBLE_EQ(c.precision, precision) << "class " << index;
  EXPECT_DOUBLE_EQ(c.recall, recall) << "class " << index;
  EXPECT_DOUBLE_EQ(c.f1, f1) << "class " << index;
  EXPECT_EQ(c.support, support) << "class " << index;
}

TEST(ScoreSamples, AucCountsTiesAsHalf) {
  // positives 0.9, 0.5, 0.5; negatives 0.5, 0.2, 0.9. Pairs (p, n), 1 if p > n, 1/2 if equal:
  //   p 0.9: n 0.5 -> 1, n 0.2 -> 1, n 0.9 -> 1/2   = 2.5
  //   p 0.5: n 0.5 -> 1/2, n 0.2 -> 1, n 0.9 -> 0   = 1.5   (twice)
  // U = 5.5 over 9 pairs = 11/18. By ranks: 0.2 -> 1; 0.5 x3 -> 3; 0.9 x2 -> 5.5; positives
  // 3 + 3 + 5.5 = 11.5; U = 11.5 - 3 * 4 / 2 = 5.5.
  ScoreSamples samples;
  for (double s : {0.9, 0.5, 0.5}) samples.add(s, true);
  for (double s : {0.5, 0.2, 0.9}) samples.add(s, false);
  ASSERT_TRUE(samples.auc().has_value());
  EXPECT_DOUBLE_EQ(*samples.auc(), 11.0 / 18.0);
}

TEST(ScoreSamples, PerfectReversedConstantAndOneClass) {
  ScoreSamples perfect;
  perfect.add(0.8, true);
  perfect.add(0.7, true);
  perfect.add(0.1, false);
  EXPECT_EQ(perfect.auc(), 1.0);
  ScoreSamples reversed;
  reversed.add(0.1, true);
  reversed.add(0.8, false);
  reversed.add(0.7, false);
  EXPECT_EQ(reversed.auc(), 0.0);
  ScoreSamples constant;
  for (bool positive : {true, false, false, true, false}) constant.add(0.3, positive);
  EXPECT_EQ(constant.auc(), 0.5);
  ScoreSamples positives_only;
  positives_only.add(0.4, true);
  positives_only.add(0.6, true);
  EXPECT_EQ(positives_only.auc(), std::nullopt);  // absent, not NaN
  EXPECT_EQ(ScoreSamples().auc(), std::nullopt);
}

TEST(ScoreSamples, MergeIsConcatenationInAnyOrder) {
  // The tie example split across two "ranks" the other way round gives the same 11/18.
  ScoreSamples a;
  a.add(0.5, false);
  a.add(0.5, true);
  ScoreSamples b;
  for (double s : {0.9, 0.5}) b.add(s, true);
  for (double s : {0.2, 0.9}) b.add(s, false);
  b.merge(a);
  EXPECT_DOUBLE_EQ(*b.auc(), 11.0 / 18.0);
  EXPECT_EQ(b.positive().size(), 3u);
  EXPECT_EQ(b.negative().size(), 3u);
}

TEST(ExactMetrics, MulticlassPerClassScoresWithNames) {
  TaskMetricAccumulator acc(metric_head(TaskType::kMulticlass, 3), {0.5, {"cod", "eel", "ray"}});
  // row  logits     argmax  label          confusion (row = true, column = predicted)
  //  0   [2, 0, 0]    0       0                 0  1  2
  //  1   [0, 3, 1]    1       1            0 [  1  0  1 ]
  //  2   [1, 0, 4]    2       1            1 [  0  1  1 ]
  //  3   [0, 5, 0]    1      -1 (ignored)  2 [  0  0  0 ]
  //  4   [0, 1, 2]    2       0
  acc.add_predictions(torch::tensor({2.f, 0.f, 0.f, 0.f, 3.f, 1.f, 1.f, 0.f, 4.f, 0.f, 5.f, 0.f, 0.f, 1.f, 2.f})
                          .reshape({5, 3}),
                      torch::tensor({0, 1, 1, -1, 0}, torch::kInt64));
  const auto scores = acc.scores();
  ASSERT_EQ(scores.classes.size(), 3u);
  // cod: tp 1, predicted 1, true 2 -> precision 1, recall 1/2, F1 2/3, support 2
  expect_class(scores.classes[0], 0, "cod", 1.0, 0.5, 2.0 / 3.0, 2);
  // eel: tp 1, predicted 1 (row 3 ignored), true 2 -> 1, 1/2, 2/3, 2
  expect_class(scores.classes[1], 1, "eel", 1.0, 0.5, 2.0 / 3.0, 2);
  // ray: tp 0, predicted 2, true 0 -> 0, 0, 0, 0
  expect_class(scores.classes[2], 2, "ray", 0.0, 0.0, 0.0, 0);
  EXPECT_FALSE(scores.auc.has_value());  // three classes: no binary AUC
  EXPECT_FALSE(scores.samples_f1.has_value());
  EXPECT_FALSE(scores.r2.has_value());
}

TEST(ExactMetrics, ClassNamesAreEmptyWhenTheDatasetHasNone) {
  TaskMetricAccumulator acc(metric_head(TaskType::kMulticlass, 2));
  acc.add_predictions(torch::tensor({1.f, 0.f}).reshape({1, 2}), torch::tensor({0}, torch::kInt64));
  const auto scores = acc.scores();
  ASSERT_EQ(scores.classes.size(), 2u);
  expect_class(scores.classes[0], 0, "", 1.0, 1.0, 1.0, 1);
  expect_class(scores.classes[1], 1, "", 0.0, 0.0, 0.0, 0);
}

TEST(ExactMetrics, BinaryMulticlassAucOnSoftmaxOfClassOne) {
  // logits [0, d]: P(class 1) = sigmoid(d), increasing in d, so pairs compare by d.
  // row  d    label
  //  0   2     1
  //  1   1     0
  //  2   1     1      ties with row 1
  //  3  -1     0
  //  4   5    -1      unlabelled: ignored
  // positives {2, 1}, negatives {1, -1}: p 2 -> 1 + 1; p 1 -> 1/2 + 1; U = 3.5 over 4 = 7/8
  TaskMetricAccumulator acc(metric_head(TaskType::kMulticlass, 2));
  acc.add_predictions(torch::tensor({0.f, 2.f, 0.f, 1.f, 0.f, 1.f, 0.f, -1.f, 0.f, 5.f}).reshape({5, 2}),
                      torch::tensor({1, 0, 1, 0, -1}, torch::kInt64));
  ASSERT_TRUE(acc.scores().auc.has_value());
  EXPECT_DOUBLE_EQ(*acc.scores().auc, 7.0 / 8.0);
}

TEST(ExactMetrics, BinaryMulticlassAucIsAbsentWithOneClass) {
  TaskMetricAccumulator acc(metric_head(TaskType::kMulticlass, 2));
  acc.add_predictions(torch::tensor({0.f, 2.f, 0.f, -1.f}).reshape({2, 2}), torch::tensor({1, 1}, torch::kInt64));
  const auto scores = acc.scores();
  EXPECT_TRUE(scores.accuracy.has_value());
  EXPECT_FALSE(scores.auc.has_value());
}

TEST(ExactMetrics, MultilabelSamplesF1PerLabelScoresAndMacroAuc) {
  TaskMetricAccumulator acc(metric_head(TaskType::kMultilabel, 3), {0.5, {"reef", "open", "deep"}});
  // threshold 0.5 on sigmoid: predicted iff logit > 0 (no logit is 0).
  // row  logits          predicted  truth     row tp fp fn  row F1
  //  0   [ 2, -1,  3]    [1, 0, 1]  [1, 1, 0]     1  1  1   2/4
  //  1   [-2,  1, -1]    [0, 1, 0]  [1, 1, 1]     1  0  2   2/4
  //  2   [ 5,  5,  5]    -          NaN row: ignored everywhere
  //  3   [ 1, -3, 0.5]   [1, 0, 1]  [1, 0, 1]     2  0  0   1
  //  4   [-1, -1, -1]    [0, 0, 0]  [0, 0, 0]     0  0  0   0 (no positive, none predicted)
  // samples F1 = (1/2 + 1/2 + 1 + 0) / 4 = 1/2
  const auto logits = torch::tensor({2.f, -1.f, 3.f, -2.f, 1.f, -1.f, 5.f, 5.f, 5.f, 1.f, -3.f, 0.5f, -1.f, -1.f, -1.f})
                          .reshape({5, 3});
  const auto labels = torch::tensor({1.f, 1.f, 0.f, 1.f, 1.f, 1.f, kMissingLabel, kMissingLabel, kMissingLabel, 1.f, 0.f, 1.f, 0.f, 0.f, 0.f})
                          .reshape({5, 3});
  acc.add_predictions(logits, labels);
  const auto scores = acc.scores();
  EXPECT_EQ(scores.labelled_rows, 4);
  ASSERT_TRUE(scores.samples_f1.has_value());
  EXPECT_DOUBLE_EQ(*scores.samples_f1, 0.5);
  // reef: tp 2, fp 0, fn 1 -> precision 1, recall 2/3, F1 4/5, support 3
  // open: tp 1, fp 0, fn 1 -> 1, 1/2, 2/3, 2
  // deep: tp 1, fp 1, fn 1 -> 1/2, 1/2, 1/2, 2
  ASSERT_EQ(scores.classes.size(), 3u);
  expect_class(scores.classes[0], 0, "reef", 1.0, 2.0 / 3.0, 0.8, 3);
  expect_class(scores.classes[1], 1, "open", 1.0, 0.5, 2.0 / 3.0, 2);
  expect_class(scores.classes[2], 2, "deep", 0.5, 0.5, 0.5, 2);
  // AUC per label over rows 0, 1, 3, 4 (sigmoid keeps the order of the logits):
  //   reef  positives {2, -2, 1}, negatives {-1}: 1 + 0 + 1 = 2 of 3 pairs          -> 2/3
  //   open  positives {-1, 1}, negatives {-3, -1}: (1 + 1/2) + (1 + 1) = 3.5 of 4    -> 7/8
  //   deep  positives {-1, 0.5}, negatives {3, -1}: (0 + 1/2) + (0 + 1) = 1.5 of 4   -> 3/8
  // macro = (2/3 + 7/8 + 3/8) / 3 = 23/36
  ASSERT_TRUE(scores.auc.has_value());
  EXPECT_DOUBLE_EQ(*scores.auc, 23.0 / 36.0);
  EXPECT_FALSE(scores.accuracy.has_value());
}

TEST(ExactMetrics, MultilabelMacroAucSkipsLabelsWithOneClass) {
  // label 0: positives {2}, negatives {-1, 3} -> 1 of 2 = 1/2; label 1 has no positive: skipped.
  TaskMetricAccumulator acc(metric_head(TaskType::kMultilabel, 2));
  acc.add_predictions(torch::tensor({2.f, 0.f, -1.f, 1.f, 3.f, 2.f}).reshape({3, 2}),
                      torch::tensor({1.f, 0.f, 0.f, 0.f, 0.f, 0.f}).reshape({3, 2}));
  EXPECT_DOUBLE_EQ(*acc.scores().auc, 0.5);
  TaskMetricAccumulator none(metric_head(TaskType::kMultilabel, 2));
  none.add_predictions(torch::tensor({2.f, 0.f}).reshape({1, 2}), torch::tensor({1.f, 0.f}).reshape({1, 2}));
  EXPECT_FALSE(none.scores().auc.has_value());  // one row: no label has both classes
}

TEST(ExactMetrics, MultilabelThresholdMovesSamplesF1) {
  // One row, logits [1, 2] (sigmoid 0.731, 0.881), truth [1, 1].
  // threshold 0.5: both predicted -> row F1 1; threshold 0.8: only label 1 -> 2 / (2 + 1) = 2/3.
  const auto logits = torch::tensor({1.f, 2.f}).reshape({1, 2});
  const auto labels = torch::tensor({1.f, 1.f}).reshape({1, 2});
  TaskMetricAccumulator half(metric_head(TaskType::kMultilabel, 2), {0.5, {}});
  half.add_predictions(logits, labels);
  EXPECT_DOUBLE_EQ(*half.scores().samples_f1, 1.0);
  TaskMetricAccumulator strict(metric_head(TaskType::kMultilabel, 2), {0.8, {}});
  strict.add_predictions(logits, labels);
  EXPECT_DOUBLE_EQ(*strict.scores().samples_f1, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(strict.scores().classes[0].recall, 0.0);
  EXPECT_DOUBLE_EQ(strict.scores().classes[1].recall, 1.0);
}

TEST(ExactMetrics, RegressionRSquared) {
  // outputs [1, 2, 3, 4], labels [1.5, NaN, 2, 6]: y = 1.5, 2, 6 (n 3, sum 9.5, sum y^2 42.25)
  // SST = 42.25 - 9.5^2 / 3 = 73/6; SSE = 0.25 + 1 + 4 = 21/4; R^2 = 1 - (21/4) / (73/6) = 83/146
  TaskMetricAccumulator acc(metric_head(TaskType::kRegression, 1));
  acc.add_predictions(torch::tensor({1.f, 2.f, 3.f, 4.f}).reshape({4, 1}),
                      torch::tensor({1.5f, kMissingLabel, 2.f, 6.f}).reshape({4, 1}));
  ASSERT_TRUE(acc.scores().r2.has_value());
  EXPECT_NEAR(*acc.scores().r2, 83.0 / 146.0, 1e-15);
  EXPECT_TRUE(acc.scores().classes.empty());
}

TEST(ExactMetrics, RegressionRSquaredPoolsEveryOutputValue) {
  // outputs [[1, 2], [3, 1]], labels [[2, 2], [1, 1]]: y = 2, 2, 1, 1 (mean 1.5, SST 1);
  // errors -1, 0, 2, 0 (SSE 5): R^2 = 1 - 5 = -4 (worse than the mean is negative).
  TaskMetricAccumulator acc(metric_head(TaskType::kRegression, 2));
  acc.add_predictions(torch::tensor({1.f, 2.f, 3.f, 1.f}).reshape({2, 2}),
                      torch::tensor({2.f, 2.f, 1.f, 1.f}).reshape({2, 2}));
  EXPECT_DOUBLE_EQ(*acc.scores().r2, -4.0);
}

TEST(ExactMetrics, RegressionRSquaredIsAbsentForConstantLabels) {
  TaskMetricAccumulator acc(metric_head(TaskType::kRegression, 1));
  acc.add_predictions(torch::tensor({1.f, 2.f, 3.f}).reshape({3, 1}), torch::tensor({0.1f, 0.1f, 0.1f}).reshape({3, 1}));
  const auto scores = acc.scores();
  EXPECT_TRUE(scores.mae.has_value());
  EXPECT_FALSE(scores.r2.has_value());
}

// Random predictions for `spec`, `rows` rows, some unlabelled.
std::pair<torch::Tensor, torch::Tensor> random_batch(const models::TaskHeadSpec& spec, int64_t rows) {
  const auto out = torch::randn({rows, spec.output_dim});
  switch (spec.type) {
    case TaskType::kMulticlass: {
      auto label = torch::randint(-1, spec.output_dim, {rows}, torch::kInt64);
      return {out, label};
    }
    case TaskType::kMultilabel: {
      auto label = torch::randint(0, 2, {rows, spec.output_dim}).to(torch::kFloat);
      label.index_put_({torch::rand({rows}).lt(0.2)}, kMissingLabel);
      // Coarse logits so ties happen across ranks.
      return {out.mul(2).round().div(2), label};
    }
    case TaskType::kRegression: {
      auto label = (out + torch::randn({rows, spec.output_dim}) + 3.0).to(torch::kFloat);
      label.index_put_({torch::rand({rows}).lt(0.2)}, kMissingLabel);
      return {out, label};
    }
  }
  return {};
}

// Which entries of the state layout (task_metrics.cpp) are counts: labelled rows, the confusion
// matrix, the multilabel tp / fp / fn, the regression value count.
bool is_count(const models::TaskHeadSpec& spec, size_t i, size_t size) {
  if (i == 0) return true;
  if (i < 3) return false;
  switch (spec.type) {
    case TaskType::kMulticlass: return true;
    case TaskType::kMultilabel: return i + 1 < size;
    case TaskType::kRegression: return i == 3;
  }
  return false;
}

void expect_near(const std::optional<double>& a, const std::optional<double>& b, const char* what) {
  ASSERT_EQ(a.has_value(), b.has_value()) << what;
  if (a) {
    EXPECT_NEAR(*a, *b, 1e-12) << what;
  }
}

void expect_same_scores(const TaskScores& a, const TaskScores& b) {
  EXPECT_EQ(a.labelled_rows, b.labelled_rows);
  expect_near(a.loss, b.loss, "loss");
  expect_near(a.accuracy, b.accuracy, "accuracy");
  expect_near(a.macro_f1, b.macro_f1, "macro_f1");
  expect_near(a.weighted_f1, b.weighted_f1, "weighted_f1");
  expect_near(a.micro_f1, b.micro_f1, "micro_f1");
  expect_near(a.samples_f1, b.samples_f1, "samples_f1");
  expect_near(a.auc, b.auc, "auc");
  expect_near(a.mae, b.mae, "mae");
  expect_near(a.rmse, b.rmse, "rmse");
  expect_near(a.r2, b.r2, "r2");
  ASSERT_EQ(a.classes.size(), b.classes.size());
  for (size_t c = 0; c < a.classes.size(); ++c) {
    EXPECT_EQ(a.classes[c].support, b.classes[c].support);
    EXPECT_NEAR(a.classes[c].f1, b.classes[c].f1, 1e-12);
  }
}

TEST(ExactMetrics, SummedStatesOfThreePartsEqualOneAccumulator) {
  torch::manual_seed(7);
  for (const auto& spec : {metric_head(TaskType::kMulticlass, 4), metric_head(TaskType::kMulticlass, 2),
                           metric_head(TaskType::kMultilabel, 5), metric_head(TaskType::kRegression, 3)}) {
    SCOPED_TRACE(to_string(spec.type) + std::string(" ") + std::to_string(spec.output_dim));
    TaskMetricAccumulator whole(spec);
    std::vector<TaskMetricAccumulator> parts(3, TaskMetricAccumulator(spec));
    for (int64_t batch = 0; batch < 9; ++batch) {
      const auto [out, label] = random_batch(spec, 17 + batch);
      whole.add_predictions(out, label);
      whole.add_loss(0.25 * static_cast<double>(batch), static_cast<double>(batch + 1));
      auto& part = parts[static_cast<size_t>(batch % 3)];  // rank batch % 3
      part.add_predictions(out, label);
      part.add_loss(0.25 * static_cast<double>(batch), static_cast<double>(batch + 1));
    }
    // All-reduce (sum) of the flat states, loaded into a fresh accumulator; AUC by concatenation.
    std::vector<double> sum(static_cast<size_t>(whole.state_size()), 0.0);
    for (const auto& part : parts) {
      const auto state = part.state();
      ASSERT_EQ(state.size(), sum.size());
      for (size_t i = 0; i < sum.size(); ++i) sum[i] += state[i];
    }
    TaskMetricAccumulator reduced(spec);
    reduced.load_state(sum);
    TaskMetricAccumulator merged(spec);
    for (const auto& part : parts) merged.merge(part);
    // Counts are bitwise equal; sums of doubles agree to rounding.
    const auto whole_state = whole.state();
    const auto merged_state = merged.state();
    for (size_t i = 0; i < sum.size(); ++i) {
      if (is_count(spec, i, sum.size())) {
        EXPECT_EQ(sum[i], whole_state[i]) << "count " << i;
        EXPECT_EQ(merged_state[i], whole_state[i]) << "count " << i;
      } else {
        EXPECT_NEAR(sum[i], whole_state[i], 1e-12 * std::max(1.0, std::abs(whole_state[i]))) << "value " << i;
      }
    }
    expect_same_scores(merged.scores(), whole.scores());
    // The summed state alone gives every metric but AUC (its scores travel separately).
    auto from_sum = reduced.scores();
    auto expected = whole.scores();
    EXPECT_FALSE(from_sum.auc.has_value());
    from_sum.auc = expected.auc;
    expect_same_scores(from_sum, expected);
  }
}

TEST(ExactMetrics, LoadStateRefusesTheWrongSize) {
  TaskMetricAccumulator acc(metric_head(TaskType::kMulticlass, 3));
  EXPECT_EQ(acc.state_size(), 3 + 9);
  EXPECT_THROW(acc.load_state(std::vector<double>(5, 0.0)), std::invalid_argument);
  EXPECT_EQ(TaskMetricAccumulator(metric_head(TaskType::kMultilabel, 4)).state_size(), 3 + 12 + 1);
  EXPECT_EQ(TaskMetricAccumulator(metric_head(TaskType::kRegression, 2)).state_size(), 3 + 5);
  EXPECT_THROW(acc.merge(TaskMetricAccumulator(metric_head(TaskType::kRegression, 1))), std::invalid_argument);
}

}  // namespace
}  // namespace mmoe::trainer
