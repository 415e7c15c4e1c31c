// MMoE forward shapes, gates, gate statistics, gradients and fitting a small multi-task problem.
#include <cmath>
#include <set>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/gate_stats.h"
#include "models/masked_loss.h"
#include "models/mmoe.h"
#include "tests/support/finite_difference.h"

namespace mmoe::models {
namespace {

ModelSpec spec_of(int64_t input_dim, std::vector<TaskHeadSpec> tasks, int64_t experts,
                  std::vector<int64_t> expert_hidden, std::vector<int64_t> tower_hidden) {
  ModelSpec spec;
  spec.input_dim = input_dim;
  spec.tasks = std::move(tasks);
  spec.num_experts = experts;
  spec.expert_hidden = std::move(expert_hidden);
  spec.tower_hidden = std::move(tower_hidden);
  return spec;
}

std::vector<TaskHeadSpec> three_tasks() {
  std::vector<TaskHeadSpec> tasks(3);
  tasks[0].name = "color";
  tasks[0].output_dim = 4;
  tasks[1].name = "tags";
  tasks[1].type = TaskType::kMultilabel;
  tasks[1].output_dim = 3;
  tasks[2].name = "price";
  tasks[2].type = TaskType::kRegression;
  tasks[2].output_dim = 1;
  return tasks;
}

TEST(Mmoe, OutputShapesAndGatesSumToOne) {
  torch::manual_seed(5);
  Mmoe model(spec_of(10, three_tasks(), 3, {8, 6}, {5}));
  const auto out = model->forward(torch::randn({7, 10}));
  ASSERT_EQ(out.task_outputs.size(), 3u);
  EXPECT_EQ(out.task_outputs[0].sizes(), (std::vector<int64_t>{7, 4}));
  EXPECT_EQ(out.task_outputs[1].sizes(), (std::vector<int64_t>{7, 3}));
  EXPECT_EQ(out.task_outputs[2].sizes(), (std::vector<int64_t>{7, 1}));
  EXPECT_EQ(out.gates.sizes(), (std::vector<int64_t>{7, 3, 3}));
  EXPECT_LT((out.gates.sum(2) - 1).abs().max().item<float>(), 1e-6);
}

TEST(Mmoe, ParameterGroupsPartitionAllParameters) {
  auto spec = spec_of(10, three_tasks(), 3, {8}, {5});
  spec.shared_dim = 12;
  Mmoe model(spec);
  const auto groups = model->parameter_groups();
  const size_t grouped = groups.shared.size() + groups.experts.size() + groups.gates.size() + groups.towers.size();
  EXPECT_EQ(grouped, model->parameters().size());
  EXPECT_EQ(groups.shared.size(), 4u);  // linear w, b, norm w, b
  std::set<const void*> distinct;
  for (const auto* group : {&groups.shared, &groups.experts, &groups.gates, &groups.towers}) {
    for (const auto& p : *group) distinct.insert(p.data_ptr());
  }
  EXPECT_EQ(distinct.size(), model->parameters().size());
}

TEST(Mmoe, ZeroGateWeightsGiveUniformGatesWithEntropyLogE) {
  Mmoe model(spec_of(6, three_tasks(), 4, {5}, {64}));
  {
    torch::NoGradGuard no_grad;
    for (auto& p : model->parameter_groups().gates) p.zero_();
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
  auto spec = spec_of(5, three_tasks(), 3, {4}, {3});
  spec.activation = Activation::kTanh;
  spec.gate.temperature = 0.7;
  Mmoe model(spec);
  model->to(torch::kDouble);
  const auto x = torch::randn({6, 5}, torch::kDouble);
  const std::vector<torch::Tensor> labels = {
      torch::tensor({0, 3, -1, 2, 1, 1}, torch::kInt64),
      torch::randint(0, 2, {6, 3}, torch::kDouble),
      torch::randn({6, 1}, torch::kDouble)};
  const auto tasks = model->tasks();
  const auto counts = count_labelled_rows(labels, tasks);
  auto loss = [&] { return masked_task_losses(model->forward(x).task_outputs, labels, tasks, counts).total; };
  for (auto& p : model->parameter_groups().gates) EXPECT_LT(testing::max_gradient_error(loss, p), 1e-6);
  for (auto& p : model->parameter_groups().towers) EXPECT_LT(testing::max_gradient_error(loss, p), 1e-6);
}

TEST(Mmoe, FitsASmallSyntheticMultiTaskProblem) {
  torch::manual_seed(7);
  const auto x = torch::randn({256, 8});
  const auto w = torch::randn({8, 2});
  const std::vector<torch::Tensor> labels = {
      (x.matmul(w.select(1, 0)) > 0).to(torch::kInt64),
      x.matmul(w.select(1, 1)).unsqueeze(1)};
  TaskHeadSpec cls;
  cls.name = "sign";
  TaskHeadSpec reg;
  reg.name = "value";
  reg.type = TaskType::kRegression;
  reg.output_dim = 1;
  Mmoe model(spec_of(8, {cls, reg}, 4, {16}, {8}));
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-2));
  const auto counts = count_labelled_rows(labels, model->tasks());
  double first = 0.0, last = 0.0;
  for (int step = 0; step < 200; ++step) {
    optimizer.zero_grad();
    auto losses = masked_task_losses(model->forward(x).task_outputs, labels, model->tasks(), counts);
    losses.total.backward();
    optimizer.step();
    if (step == 0) first = losses.total.item<double>();
    last = losses.total.item<double>();
  }
  EXPECT_LT(last, 0.1 * first);
}

}  // namespace
}  // namespace mmoe::models
