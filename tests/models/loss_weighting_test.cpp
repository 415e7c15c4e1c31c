// combine_task_losses (models/multitask_model.h) against its formulas written out by hand:
//   fixed        sum_t w_t L_t
//   uncertainty  sum_t w_t (c_t exp(-s_t) L_t + c_t s_t), c_t = 1/2 regression, 1 classification
#include <cmath>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/masked_loss.h"
#include "models/mmoe.h"

namespace mmoe::models {
namespace {

// Two tasks: classification "c" (weight 2) and regression "r" (weight 0.5).
Mmoe two_task_model(LossWeighting weighting) {
  std::vector<TaskHeadSpec> tasks(2);
  tasks[0].name = "c";
  tasks[0].output_dim = 3;
  tasks[0].loss_weight = 2.0;
  tasks[1].name = "r";
  tasks[1].type = TaskType::kRegression;
  tasks[1].output_dim = 1;
  tasks[1].loss_weight = 0.5;
  ModelSpec spec;
  spec.input_dim = 4;
  spec.tasks = tasks;
  spec.num_experts = 2;
  spec.expert_hidden = {3};
  spec.tower_hidden = {};
  spec.loss_weighting = weighting;
  Mmoe model(spec);
  model->to(torch::kDouble);
  return model;
}

TEST(LossWeighting, FixedIsTheWeightedSum) {
  auto model = two_task_model(LossWeighting::kFixed);
  EXPECT_FALSE(model->loss_log_variances().defined());
  const auto total = model->combine_task_losses({torch::tensor(3.0, torch::kDouble), torch::tensor(4.0, torch::kDouble)});
  EXPECT_NEAR(total.item<double>(), 2.0 * 3.0 + 0.5 * 4.0, 1e-12);
}

TEST(LossWeighting, RankSharesOfTheLossSumToTheSingleProcessTotal) {
  // Two ranks hold shares of each task's global loss (1.5 = 0.5 + 1.0, 2.0 = 1.25 + 0.75); with
  // rank_share 1/2 their totals add up to the total of the whole loss, s_t counted once.
  auto model = two_task_model(LossWeighting::kUncertainty);
  {
    torch::NoGradGuard no_grad;
    model->loss_log_variances().copy_(torch::tensor({0.3, -0.7}, torch::kDouble));
  }
  const auto t = [](double v) { return torch::tensor(v, torch::kDouble); };
  const double whole = model->combine_task_losses({t(1.5), t(2.0)}).item<double>();
  const double rank0 = model->combine_task_losses({t(0.5), t(1.25)}, 0.5).item<double>();
  const double rank1 = model->combine_task_losses({t(1.0), t(0.75)}, 0.5).item<double>();
  EXPECT_NEAR(rank0 + rank1, whole, 1e-12);
  // Without the share the s_t terms would count twice: the test can tell.
  const double unshared = model->combine_task_losses({t(0.5), t(1.25)}).item<double>() +
                          model->combine_task_losses({t(1.0), t(0.75)}).item<double>();
  EXPECT_GT(std::abs(unshared - whole), 1e-3);
}

TEST(LossWeighting, UncertaintyMatchesKendallByHandWithGradients) {
  auto model = two_task_model(LossWeighting::kUncertainty);
  ASSERT_TRUE(model->loss_log_variances().defined());
  EXPECT_EQ(model->loss_log_variances().sizes(), (std::vector<int64_t>{2}));
  {
    torch::NoGradGuard no_grad;
    model->loss_log_variances().copy_(torch::tensor({0.3, -0.7}, torch::kDouble));
  }
  auto l_c = torch::tensor(1.5, torch::kDouble).requires_grad_(true);
  auto l_r = torch::tensor(2.0, torch::kDouble).requires_grad_(true);
  const auto total = model->combine_task_losses({l_c, l_r});
  const double expected = 2.0 * (1.0 * std::exp(-0.3) * 1.5 + 1.0 * 0.3) +  // classification, c = 1
                          0.5 * (0.5 * std::exp(0.7) * 2.0 + 0.5 * -0.7);   // regression, c = 1/2
  EXPECT_NEAR(total.item<double>(), expected, 1e-12);
  total.backward();
  // d/ds_t = w_t c_t (1 - exp(-s_t) L_t); d/dL_t = w_t c_t exp(-s_t)
  const auto& grad = model->loss_log_variances().grad();
  ASSERT_TRUE(grad.defined());
  EXPECT_NEAR(grad[0].item<double>(), 2.0 * (1.0 - std::exp(-0.3) * 1.5), 1e-12);
  EXPECT_NEAR(grad[1].item<double>(), 0.5 * 0.5 * (1.0 - std::exp(0.7) * 2.0), 1e-12);
  EXPECT_NEAR(l_c.grad().item<double>(), 2.0 * std::exp(-0.3), 1e-12);
  EXPECT_NEAR(l_r.grad().item<double>(), 0.5 * 0.5 * std::exp(0.7), 1e-12);
}

TEST(LossWeighting, LogVariancesAreTowerParametersThatLearnFromTheTrainingLoss) {
  torch::manual_seed(31);
  auto model = two_task_model(LossWeighting::kUncertainty);
  const auto groups = model->parameter_groups();
  bool in_towers = false;
  for (const auto& p : groups.towers) in_towers = in_towers || p.is_same(model->loss_log_variances());
  EXPECT_TRUE(in_towers);
  EXPECT_TRUE(model->named_parameters().contains("loss_log_variances"));
  // At s = 0 the gradient is w_t c_t (1 - L_t): nonzero for losses away from 1.
  const auto x = torch::randn({6, 4}, torch::kDouble);
  const std::vector<torch::Tensor> labels = {torch::tensor({0, 1, 2, 0, -1, 1}, torch::kInt64),
                                             10.0 * torch::randn({6, 1}, torch::kDouble)};
  const auto per_task =
      masked_task_losses(model->forward(x).task_outputs, labels, model->tasks(), loss_denominators(labels, model->tasks()))
          .per_task;
  model->combine_task_losses(per_task).backward();
  const auto& grad = model->loss_log_variances().grad();
  ASSERT_TRUE(grad.defined());
  EXPECT_NEAR(grad[0].item<double>(), 2.0 * (1.0 - per_task[0].item<double>()), 1e-12);
  EXPECT_NEAR(grad[1].item<double>(), 0.5 * 0.5 * (1.0 - per_task[1].item<double>()), 1e-12);
  EXPECT_GT(grad.abs().min().item<double>(), 0.0);
}

}  // namespace
}  // namespace mmoe::models
