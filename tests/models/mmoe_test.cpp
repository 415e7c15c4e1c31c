// MMoE forward shapes, gates, gate statistics, gradients and fitting a small multi-task problem.
#include <cmath>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/gate_stats.h"
#include "models/masked_loss.h"
#include "models/mmoe.h"
#include "tests/support/finite_difference.h"

namespace mmoe::models {
namespace {

std::vector<TaskHeadSpec> three_tasks() {
  TaskHeadSpec a{"color", TaskType::kMulticlass, 4};
  TaskHeadSpec b{"tags", TaskType::kMultilabel, 3};
  TaskHeadSpec c{"price", TaskType::kRegression, 1};
  return {a, b, c};
}

TEST(Mmoe, OutputShapesAndGatesSumToOne) {
  torch::manual_seed(5);
  Mmoe model(MmoeOptions(10, three_tasks()).num_experts(3).expert_hidden({8, 6}).tower_hidden({5}));
  const auto out = model->forward(torch::randn({7, 10}));
  ASSERT_EQ(out.task_outputs.size(), 3u);
  EXPECT_EQ(out.task_outputs[0].sizes(), (std::vector<int64_t>{7, 4}));
  EXPECT_EQ(out.task_outputs[1].sizes(), (std::vector<int64_t>{7, 3}));
  EXPECT_EQ(out.task_outputs[2].sizes(), (std::vector<int64_t>{7, 1}));
  EXPECT_EQ(out.gates.sizes(), (std::vector<int64_t>{7, 3, 3}));
  EXPECT_LT((out.gates.sum(2) - 1).abs().max().item<float>(), 1e-6);
}

TEST(Mmoe, ParameterGroupsPartitionAllParameters) {
  Mmoe model(MmoeOptions(10, three_tasks()).num_experts(3).shared_dim(12));
  const size_t grouped = model->shared_parameters().size() + model->expert_parameters().size() +
                         model->gate_parameters().size() + model->tower_parameters().size();
  EXPECT_EQ(grouped, model->parameters().size());
  EXPECT_EQ(model->shared_parameters().size(), 4u);  // linear w, b, norm w, b
}

TEST(Mmoe, ZeroGateWeightsGiveUniformGatesWithEntropyLogE) {
  Mmoe model(MmoeOptions(6, three_tasks()).num_experts(4).expert_hidden({5}));
  {
    torch::NoGradGuard no_grad;
    for (auto& p : model->gate_parameters()) p.zero_();
  }
  const auto out = model->forward(torch::randn({9, 6}));
  EXPECT_LT((out.gates - 0.25).abs().max().item<float>(), 1e-7);
  GateStatsAccumulator stats(3, 4);
  stats.add(out.gates);
  for (const auto& task : stats.summaries()) {
    EXPECT_NEAR(task.entropy_nats, std::log(4.0), 1e-9);
    EXPECT_NEAR(task.entropy_normalized, 1.0, 1e-9);
    for (double u : task.utilization) EXPECT_NEAR(u, 0.25, 1e-9);
  }
}

TEST(GateStats, UtilizationAndEntropyByHand) {
  // One task, two experts, two rows: gates (1, 0) and (0.5, 0.5).
  GateStatsAccumulator stats(1, 2);
  stats.add(torch::tensor({{{1.0, 0.0}}, {{0.5, 0.5}}}));
  const auto s = stats.summaries()[0];
  EXPECT_NEAR(s.utilization[0], 0.75, 1e-9);
  EXPECT_NEAR(s.utilization[1], 0.25, 1e-9);
  EXPECT_NEAR(s.entropy_nats, std::log(2.0) / 2.0, 1e-7);
  EXPECT_NEAR(s.entropy_normalized, 0.5, 1e-7);
  GateStatsAccumulator copy(1, 2);
  copy.load_packed_sums(stats.packed_sums());
  EXPECT_EQ(copy.rows(), 2);
  EXPECT_NEAR(copy.summaries()[0].utilization[0], 0.75, 1e-9);
}

TEST(Mmoe, GateAndTowerGradientsMatchFiniteDifferences) {
  torch::manual_seed(6);
  Mmoe model(MmoeOptions(5, three_tasks()).num_experts(3).expert_hidden({4}).tower_hidden({3})
                 .activation(Activation::kTanh).gate_temperature(0.7));
  model->to(torch::kDouble);
  const auto x = torch::randn({6, 5}, torch::kDouble);
  const std::vector<torch::Tensor> labels = {
      torch::tensor({0, 3, -1, 2, 1, 1}, torch::kInt64),
      torch::randint(0, 2, {6, 3}, torch::kDouble),
      torch::randn({6, 1}, torch::kDouble)};
  const auto tasks = model->options().tasks();
  const auto counts = count_labelled_rows(labels, tasks);
  auto loss = [&] { return masked_task_losses(model->forward(x).task_outputs, labels, tasks, counts).total; };
  for (auto& p : model->gate_parameters()) EXPECT_LT(testing::max_gradient_error(loss, p), 1e-6);
  for (auto& p : model->tower_parameters()) EXPECT_LT(testing::max_gradient_error(loss, p), 1e-6);
}

TEST(Mmoe, FitsASmallSyntheticMultiTaskProblem) {
  torch::manual_seed(7);
  const auto x = torch::randn({256, 8});
  const auto w = torch::randn({8, 2});
  const std::vector<torch::Tensor> labels = {
      (x.matmul(w.select(1, 0)) > 0).to(torch::kInt64),
      x.matmul(w.select(1, 1)).unsqueeze(1)};
  TaskHeadSpec cls{"sign", TaskType::kMulticlass, 2};
  TaskHeadSpec reg{"value", TaskType::kRegression, 1};
  Mmoe model(MmoeOptions(8, {cls, reg}).num_experts(4).expert_hidden({16}).tower_hidden({8}));
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-2));
  const auto counts = count_labelled_rows(labels, model->options().tasks());
  double first = 0.0, last = 0.0;
  for (int step = 0; step < 200; ++step) {
    optimizer.zero_grad();
    auto losses = masked_task_losses(model->forward(x).task_outputs, labels, model->options().tasks(), counts);
    losses.total.backward();
    optimizer.step();
    if (step == 0) first = losses.total.item<double>();
    last = losses.total.item<double>();
  }
  EXPECT_LT(last, 0.1 * first);
}

}  // namespace
}  // namespace mmoe::models
