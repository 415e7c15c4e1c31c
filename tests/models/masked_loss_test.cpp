// Masked per-task losses against values computed by hand over only the labelled rows.
#include <cmath>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/masked_loss.h"

namespace mmoe::models {
namespace {

TaskHeadSpec spec(const char* name, TaskType type, int64_t dim) {
  TaskHeadSpec s;
  s.name = name;
  s.type = type;
  s.output_dim = dim;
  return s;
}

TEST(MaskedLoss, MulticlassEqualsCrossEntropyOverLabelledRowsByHand) {
  // Row 1 is unlabelled (-1). Loss = mean over rows 0 and 2 of -log softmax(logits)[label].
  const auto logits = torch::tensor({{1.0, 2.0, 0.5}, {9.0, -3.0, 0.0}, {0.0, 0.0, 3.0}}, torch::kDouble);
  const auto labels = torch::tensor({1, -1, 0}, torch::kInt64);
  auto neg_log_softmax = [](double a, double b, double c, double pick) {
    return -(pick - std::log(std::exp(a) + std::exp(b) + std::exp(c)));
  };
  const double expected = (neg_log_softmax(1.0, 2.0, 0.5, 2.0) + neg_log_softmax(0.0, 0.0, 3.0, 0.0)) / 2.0;
  const auto tasks = std::vector<TaskHeadSpec>{spec("a", TaskType::kMulticlass, 3)};
  EXPECT_EQ(count_labelled_rows({labels}, tasks)[0].item<int64_t>(), 2);
  const auto counts = loss_denominators({labels}, tasks);
  EXPECT_EQ(counts.scalar_type(), torch::kDouble);
  EXPECT_EQ(counts[0].item<double>(), 2.0);
  const auto losses = masked_task_losses({logits}, {labels}, tasks, counts);
  EXPECT_NEAR(losses.per_task[0].item<double>(), expected, 1e-12);
  EXPECT_NEAR(losses.total.item<double>(), expected, 1e-12);
}

TEST(MaskedLoss, LabelSmoothingMatchesFormula) {
  // smoothed CE = (1-eps) * nll + eps * mean_c(-log p_c)
  const auto logits = torch::tensor({{0.2, -1.0, 2.0}}, torch::kDouble);
  auto spec_a = spec("a", TaskType::kMulticlass, 3);
  spec_a.label_smoothing = 0.3;
  const auto log_p = torch::log_softmax(logits, 1)[0];
  const double expected = 0.7 * -log_p[2].item<double>() + 0.3 * -log_p.mean().item<double>();
  const auto losses = masked_task_losses({logits}, {torch::tensor({2}, torch::kInt64)}, {spec_a},
                                         torch::tensor({1}));
  EXPECT_NEAR(losses.per_task[0].item<double>(), expected, 1e-12);
}

TEST(MaskedLoss, MultilabelAndRegressionByHand) {
  const auto ml_logits = torch::tensor({{0.0, 1.0}, {2.0, -2.0}}, torch::kDouble);
  const double nan = std::nan("");
  const auto ml_labels = torch::tensor({{1.0, 0.0}, {nan, nan}}, torch::kDouble);
  // Row 0 only: BCE(0, 1) = log 2; BCE(1, 0) = log(1 + e).
  const double ml_expected = (std::log(2.0) + std::log(1.0 + std::exp(1.0))) / 2.0;
  const auto reg_out = torch::tensor({{1.0}, {3.0}, {-1.0}}, torch::kDouble);
  const auto reg_labels = torch::tensor({{nan}, {1.0}, {0.0}}, torch::kDouble);
  const double reg_expected = (4.0 + 1.0) / 2.0;
  const auto tasks = std::vector<TaskHeadSpec>{spec("m", TaskType::kMultilabel, 2),
                                               spec("r", TaskType::kRegression, 1)};
  auto ml = masked_task_losses({ml_logits}, {ml_labels}, {tasks[0]}, torch::tensor({1}));
  auto reg = masked_task_losses({reg_out}, {reg_labels}, {tasks[1]}, torch::tensor({2}));
  EXPECT_NEAR(ml.per_task[0].item<double>(), ml_expected, 1e-12);
  EXPECT_NEAR(reg.per_task[0].item<double>(), reg_expected, 1e-12);
}

TEST(MaskedLoss, GlobalDenominatorDividesTheLocalSum) {
  // Two labelled rows locally, 8 in the global batch: the loss is their sum / 8.
  const auto logits = torch::zeros({2, 4}, torch::kDouble);
  const auto labels = torch::tensor({0, 3}, torch::kInt64);
  const auto losses = masked_task_losses({logits}, {labels}, {spec("a", TaskType::kMulticlass, 4)},
                                         torch::tensor({8}));
  EXPECT_NEAR(losses.per_task[0].item<double>(), 2.0 * std::log(4.0) / 8.0, 1e-12);
}

TEST(MaskedLoss, FullyUnlabelledTaskGivesZeroLossAndZeroGradientNeverNan) {
  const double nan = std::nan("");
  auto logits = torch::randn({4, 3}, torch::kDouble).requires_grad_(true);
  auto values = torch::randn({4, 2}, torch::kDouble).requires_grad_(true);
  auto multilabel = torch::randn({4, 5}, torch::kDouble).requires_grad_(true);
  const auto tasks = std::vector<TaskHeadSpec>{spec("c", TaskType::kMulticlass, 3),
                                               spec("r", TaskType::kRegression, 2),
                                               spec("m", TaskType::kMultilabel, 5)};
  const std::vector<torch::Tensor> labels = {torch::full({4}, -1, torch::kInt64),
                                             torch::full({4, 2}, nan, torch::kDouble),
                                             torch::full({4, 5}, nan, torch::kDouble)};
  const auto counts = loss_denominators(labels, tasks);
  EXPECT_EQ(counts.sum().item<double>(), 0.0);
  auto losses = masked_task_losses({logits, values, multilabel}, labels, tasks, counts);
  losses.total.backward();
  EXPECT_EQ(losses.total.item<double>(), 0.0);
  for (const auto& t : {logits, values, multilabel}) {
    ASSERT_TRUE(t.grad().defined());  // the graph did not change shape
    EXPECT_TRUE(torch::isfinite(t.grad()).all().item<bool>());
    EXPECT_EQ(t.grad().abs().sum().item<double>(), 0.0);
  }
}

TEST(MaskedLoss, TaskWeightsScaleTheTotal) {
  auto a = spec("a", TaskType::kMulticlass, 2);
  auto b = spec("b", TaskType::kMulticlass, 2);
  a.loss_weight = 2.0;
  b.loss_weight = 0.5;
  const auto logits = torch::zeros({1, 2}, torch::kDouble);
  const auto label = torch::tensor({1}, torch::kInt64);
  const auto losses = masked_task_losses({logits, logits}, {label, label}, {a, b}, torch::tensor({1, 1}));
  EXPECT_NEAR(losses.total.item<double>(), 2.5 * std::log(2.0), 1e-12);
}

}  // namespace
}  // namespace mmoe::models
