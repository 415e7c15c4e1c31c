// Task-head loss options (class weights, pos_weight, Huber, standardised regression errors)
// against formulas written out by hand, plus finite-difference gradients in float64.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/masked_loss.h"
#include "tests/support/finite_difference.h"

namespace mmoe::models {
namespace {

const double kNan = std::nan("");

TaskHeadSpec head(const char* name, TaskType type, int64_t dim) {
  TaskHeadSpec s;
  s.name = name;
  s.type = type;
  s.output_dim = dim;
  return s;
}

// -log softmax(row)[pick] for a three-class row
double nll3(double a, double b, double c, int pick) {
  const double values[] = {a, b, c};
  return -(values[pick] - std::log(std::exp(a) + std::exp(b) + std::exp(c)));
}

double loss_of(const TaskHeadSpec& task, const torch::Tensor& output, const torch::Tensor& label) {
  const auto denominators = loss_denominators({label}, {task});
  return masked_task_losses({output}, {label}, {task}, denominators).per_task[0].item<double>();
}

TEST(TaskHeads, ClassWeightedCrossEntropyIsTheWeightedMeanByHand) {
  // PyTorch CrossEntropyLoss(weight=w) with reduction='mean': sum_b w[y_b] l_b / sum_b w[y_b].
  auto task = head("c", TaskType::kMulticlass, 3);
  task.class_weights = {0.5, 2.0, 1.0};
  const auto logits =
      torch::tensor({{1.0, 2.0, 0.5}, {9.0, -3.0, 0.0}, {0.0, 0.0, 3.0}, {0.3, -0.2, 0.1}}, torch::kDouble);
  const auto labels = torch::tensor({1, -1, 0, 2}, torch::kInt64);
  const double expected =
      (2.0 * nll3(1.0, 2.0, 0.5, 1) + 0.5 * nll3(0.0, 0.0, 3.0, 0) + 1.0 * nll3(0.3, -0.2, 0.1, 2)) / 3.5;
  const auto denominators = loss_denominators({labels}, {task});
  EXPECT_EQ(denominators.scalar_type(), torch::kDouble);
  EXPECT_DOUBLE_EQ(denominators[0].item<double>(), 3.5);
  EXPECT_EQ(count_labelled_rows({labels}, {task})[0].item<int64_t>(), 3);
  EXPECT_NEAR(masked_task_losses({logits}, {labels}, {task}, denominators).per_task[0].item<double>(), expected,
              1e-12);
}

TEST(TaskHeads, ClassWeightsSummingBelowOneStillGiveTheWeightedMean) {
  // One row of weight 0.25: the weighted mean is the row's loss itself, not a quarter of it.
  auto task = head("c", TaskType::kMulticlass, 3);
  task.class_weights = {0.25, 0.25, 0.25};
  const auto logits = torch::tensor({{1.0, 2.0, 0.5}}, torch::kDouble);
  EXPECT_NEAR(loss_of(task, logits, torch::tensor({0}, torch::kInt64)), nll3(1.0, 2.0, 0.5, 0), 1e-12);
}

TEST(TaskHeads, ClassWeightsWithLabelSmoothingFollowPyTorch) {
  // PyTorch: row = (1-eps) w[y] nll + eps/C sum_c w_c (-log p_c); mean divides by sum w[y].
  auto task = head("c", TaskType::kMulticlass, 3);
  task.class_weights = {0.5, 2.0, 1.0};
  task.label_smoothing = 0.2;
  const auto logits = torch::tensor({{1.0, 2.0, 0.5}, {0.0, 0.0, 3.0}}, torch::kDouble);
  auto row = [&](double a, double b, double c, int y) {
    const double smooth = 0.5 * nll3(a, b, c, 0) + 2.0 * nll3(a, b, c, 1) + 1.0 * nll3(a, b, c, 2);
    return 0.8 * task.class_weights[static_cast<size_t>(y)] * nll3(a, b, c, y) + 0.2 / 3.0 * smooth;
  };
  const double expected = (row(1.0, 2.0, 0.5, 1) + row(0.0, 0.0, 3.0, 2)) / 3.0;
  EXPECT_NEAR(loss_of(task, logits, torch::tensor({1, 2}, torch::kInt64)), expected, 1e-12);
}

TEST(TaskHeads, PosWeightBinaryCrossEntropyByHand) {
  // BCE(x, y; p) = -(p y log s(x) + (1 - y) log(1 - s(x))); -log s(x) = log(1 + e^-x).
  auto task = head("m", TaskType::kMultilabel, 2);
  task.pos_weight = {3.0, 2.0};
  const auto logits = torch::tensor({{0.5, -1.0}, {2.0, 0.7}, {4.0, 4.0}}, torch::kDouble);
  const auto labels = torch::tensor({{1.0, 0.0}, {0.0, 1.0}, {kNan, kNan}}, torch::kDouble);
  const double row0 = (3.0 * std::log(1.0 + std::exp(-0.5)) + std::log(1.0 + std::exp(-1.0))) / 2.0;
  const double row1 = (std::log(1.0 + std::exp(2.0)) + 2.0 * std::log(1.0 + std::exp(-0.7))) / 2.0;
  EXPECT_NEAR(loss_of(task, logits, labels), (row0 + row1) / 2.0, 1e-12);
}

TEST(TaskHeads, HuberIsQuadraticInsideDeltaAndLinearOutside) {
  // delta 1: |e| = 0.5 -> 0.5 * 0.25 = 0.125; |e| = 2 -> 1 * (2 - 0.5) = 1.5; |e| = 3 -> 2.5.
  auto task = head("r", TaskType::kRegression, 2);
  task.regression_loss = RegressionLoss::kHuber;
  task.huber_delta = 1.0;
  const auto outputs = torch::tensor({{0.5, 1.0}, {-1.0, 7.0}, {9.0, 9.0}}, torch::kDouble);
  const auto targets = torch::tensor({{0.0, 3.0}, {2.0, 7.0}, {kNan, 1.0}}, torch::kDouble);
  const double expected = ((0.125 + 1.5) / 2.0 + (2.5 + 0.0) / 2.0) / 2.0;
  EXPECT_NEAR(loss_of(task, outputs, targets), expected, 1e-12);
  // delta 4 puts every error inside: plain e^2 / 2.
  task.huber_delta = 4.0;
  EXPECT_NEAR(loss_of(task, outputs, targets), ((0.125 + 2.0) / 2.0 + (4.5 + 0.0) / 2.0) / 2.0, 1e-12);
}

TEST(TaskHeads, RegressionErrorsAreStandardisedByTargetStd) {
  // std (2, 0.5): errors (1 - 3) / 2 = -1 and (1 - 0) / 0.5 = 2.
  auto task = head("r", TaskType::kRegression, 2);
  task.target_mean = {10.0, -4.0};  // does not enter the loss: outputs are in original units
  task.target_std = {2.0, 0.5};
  const auto outputs = torch::tensor({{1.0, 1.0}}, torch::kDouble);
  const auto targets = torch::tensor({{3.0, 0.0}}, torch::kDouble);
  EXPECT_NEAR(loss_of(task, outputs, targets), (1.0 + 4.0) / 2.0, 1e-12);
  task.regression_loss = RegressionLoss::kHuber;
  task.huber_delta = 1.5;  // |-1| inside: 0.5; |2| outside: 1.5 * (2 - 0.75) = 1.875
  EXPECT_NEAR(loss_of(task, outputs, targets), (0.5 + 1.875) / 2.0, 1e-12);
}

TEST(TaskHeads, FullyUnlabelledTaskWithClassWeightsGivesZeroLossAndZeroGradient) {
  auto classes = head("c", TaskType::kMulticlass, 3);
  classes.class_weights = {0.5, 2.0, 1.0};
  auto tags = head("m", TaskType::kMultilabel, 2);
  tags.pos_weight = {3.0, 0.5};
  auto value = head("r", TaskType::kRegression, 2);
  value.regression_loss = RegressionLoss::kHuber;
  value.target_std = {2.0, 0.1};
  auto logits = torch::randn({4, 3}, torch::kDouble).requires_grad_(true);
  auto tag_logits = torch::randn({4, 2}, torch::kDouble).requires_grad_(true);
  auto values = torch::randn({4, 2}, torch::kDouble).requires_grad_(true);
  const std::vector<TaskHeadSpec> tasks = {classes, tags, value};
  const std::vector<torch::Tensor> labels = {torch::full({4}, -1, torch::kInt64),
                                             torch::full({4, 2}, kNan, torch::kDouble),
                                             torch::full({4, 2}, kNan, torch::kDouble)};
  const auto denominators = loss_denominators(labels, tasks);
  EXPECT_EQ(denominators.abs().sum().item<double>(), 0.0);
  auto losses = masked_task_losses({logits, tag_logits, values}, labels, tasks, denominators);
  losses.total.backward();
  EXPECT_EQ(losses.total.item<double>(), 0.0);
  for (const auto& t : {logits, tag_logits, values}) {
    ASSERT_TRUE(t.grad().defined());
    EXPECT_TRUE(torch::isfinite(t.grad()).all().item<bool>());
    EXPECT_EQ(t.grad().abs().sum().item<double>(), 0.0);
  }
}

TEST(TaskHeads, HuberGradientMatchesFiniteDifferences) {
  torch::manual_seed(21);
  auto task = head("r", TaskType::kRegression, 3);
  task.regression_loss = RegressionLoss::kHuber;
  task.huber_delta = 0.7;
  task.target_std = {1.0, 2.0, 0.5};
  auto outputs = (2.0 * torch::randn({8, 3}, torch::kDouble)).requires_grad_(true);
  auto targets = torch::randn({8, 3}, torch::kDouble);
  targets[2][1] = kNan;  // an unlabelled row
  const auto denominators = loss_denominators({targets}, {task});
  auto loss = [&] { return masked_task_losses({outputs}, {targets}, {task}, denominators).total; };
  EXPECT_LT(testing::max_gradient_error(loss, outputs), 1e-6);
}

TEST(TaskHeads, MisSizedHeadVectorsAreRejectedNamingTheField) {
  auto task = head("colour", TaskType::kMulticlass, 3);
  task.class_weights = {1.0, 2.0};
  const auto logits = torch::zeros({1, 3});
  const auto label = torch::tensor({0}, torch::kInt64);
  try {
    masked_task_losses({logits}, {label}, {task}, torch::tensor({1.0}));
    FAIL() << "expected an error";
  } catch (const c10::Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("class_weights"), std::string::npos) << message;
    EXPECT_NE(message.find("colour"), std::string::npos) << message;
  }
  auto reg = head("r", TaskType::kRegression, 1);
  reg.target_std = {0.0};
  EXPECT_THROW(loss_of(reg, torch::zeros({1, 1}), torch::zeros({1, 1})), c10::Error);
}

}  // namespace
}  // namespace mmoe::models
