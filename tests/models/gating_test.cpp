// Task gates (dense, top-k, noisy, load balancing) and gate-collapse warnings against values
// computed by hand, plus finite-difference gradients in float64.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/gate_stats.h"
#include "models/mmoe.h"
#include "models/task_gates.h"
#include "tests/support/finite_difference.h"

namespace mmoe::models {
namespace {

torch::Tensor parameter(TaskGatesImpl& gates, const std::string& name) {
  return gates.named_parameters()[name];
}

// Gates whose logits for task t are `scale` * x (weight = scale * [I; I; ...], bias 0), so a test
// chooses the logits by choosing the input. input_dim = experts.
TaskGates identity_gates(TaskGatesOptions options, double scale = 1.0) {
  TaskGates gates(options);
  gates->to(torch::kDouble);
  torch::NoGradGuard no_grad;
  const int64_t experts = options.num_experts();
  parameter(*gates, "linear.weight")
      .copy_(scale * torch::eye(experts, torch::kDouble).repeat({options.num_tasks(), 1}));
  parameter(*gates, "linear.bias").zero_();
  return gates;
}

TEST(TaskGates, TopKKeepsTheKLargestLogitsRenormalisedByHand) {
  // logits (1, 3, -0.5, 2), k = 2: experts 1 and 3 keep e^3 / (e^3 + e^2) and e^2 / (e^3 + e^2).
  auto gates = identity_gates(TaskGatesOptions(4, 1, 4).top_k(2));
  const auto w = gates->forward(torch::tensor({{1.0, 3.0, -0.5, 2.0}}, torch::kDouble)).weights;
  ASSERT_EQ(w.sizes(), (std::vector<int64_t>{1, 1, 4}));
  const double e1 = 1.0 / (1.0 + std::exp(-1.0));
  EXPECT_EQ(w[0][0][0].item<double>(), 0.0);
  EXPECT_NEAR(w[0][0][1].item<double>(), e1, 1e-12);
  EXPECT_EQ(w[0][0][2].item<double>(), 0.0);
  EXPECT_NEAR(w[0][0][3].item<double>(), 1.0 - e1, 1e-12);
}

TEST(TaskGates, TemperatureDividesTheLogitsBeforeTopK) {
  // Same logits / 2: kept (1.5, 1.0) -> 1 / (1 + e^-0.5) and 1 / (1 + e^0.5).
  auto gates = identity_gates(TaskGatesOptions(4, 1, 4).top_k(2).temperature(2.0));
  const auto w = gates->forward(torch::tensor({{1.0, 3.0, -0.5, 2.0}}, torch::kDouble)).weights;
  EXPECT_NEAR(w[0][0][1].item<double>(), 1.0 / (1.0 + std::exp(-0.5)), 1e-12);
  EXPECT_NEAR(w[0][0][3].item<double>(), 1.0 / (1.0 + std::exp(0.5)), 1e-12);
  // Dense: logits (0, 2 ln 3) / 2 = (0, ln 3) -> (1/4, 3/4).
  auto dense = identity_gates(TaskGatesOptions(2, 1, 2).temperature(2.0));
  const auto d = dense->forward(torch::tensor({{0.0, 2.0 * std::log(3.0)}}, torch::kDouble)).weights;
  EXPECT_NEAR(d[0][0][0].item<double>(), 0.25, 1e-12);
  EXPECT_NEAR(d[0][0][1].item<double>(), 0.75, 1e-12);
}

TEST(TaskGates, TopKGivesExactlyKNonzeroWeightsPerRowAndTaskSummingToOne) {
  torch::manual_seed(11);
  TaskGates gates(TaskGatesOptions(7, 3, 6).top_k(3));
  const auto w = gates->forward(torch::randn({20, 7})).weights;
  ASSERT_EQ(w.sizes(), (std::vector<int64_t>{20, 3, 6}));
  EXPECT_TRUE(w.gt(0).sum(2).eq(3).all().item<bool>());
  EXPECT_LT((w.sum(2) - 1).abs().max().item<float>(), 1e-6);
  EXPECT_FALSE(gates->forward(torch::randn({2, 7})).aux_loss.defined());  // load balancing off
}

TEST(TaskGates, TopKEqualToExpertCountIsDense) {
  torch::manual_seed(12);
  TaskGates dense(TaskGatesOptions(5, 2, 4));
  torch::manual_seed(12);
  TaskGates all(TaskGatesOptions(5, 2, 4).top_k(4));
  const auto x = torch::randn({9, 5});
  const auto expected = torch::softmax(
      (torch::matmul(x, parameter(*dense, "linear.weight").t()) + parameter(*dense, "linear.bias")).view({9, 2, 4}), 2);
  EXPECT_LT((dense->forward(x).weights - expected).abs().max().item<float>(), 1e-6);
  EXPECT_LT((all->forward(x).weights - expected).abs().max().item<float>(), 1e-6);
}

TEST(TaskGates, InvalidOptionsAreRejectedWithTheValue) {
  EXPECT_THROW(TaskGates(TaskGatesOptions(4, 1, 4).top_k(5)), c10::Error);
  EXPECT_THROW(TaskGates(TaskGatesOptions(4, 1, 4).top_k(-1)), c10::Error);
  EXPECT_THROW(TaskGates(TaskGatesOptions(4, 1, 4).load_balance_weight(-0.1)), c10::Error);
  EXPECT_THROW(TaskGates(TaskGatesOptions(4, 1, 4).temperature(0.0)), c10::Error);
}

TEST(TaskGates, NoisyGatingAddsNoiseOnlyInTraining) {
  torch::manual_seed(13);
  TaskGates gates(TaskGatesOptions(5, 2, 4).top_k(2).noisy(true));
  // The noise network is a gate parameter whose weights start at zero.
  ASSERT_EQ(gates->parameters().size(), 4u);
  EXPECT_EQ(parameter(*gates, "noise.weight").abs().sum().item<float>(), 0.0f);
  const auto x = torch::randn({16, 5});
  gates->train();
  const auto a = gates->forward(x).weights;
  const auto b = gates->forward(x).weights;
  EXPECT_GT((a - b).abs().max().item<float>(), 1e-4);
  EXPECT_TRUE(a.gt(0).sum(2).eq(2).all().item<bool>());
  gates->eval();
  const auto c = gates->forward(x).weights;
  const auto d = gates->forward(x).weights;
  EXPECT_TRUE(torch::equal(c, d));
  // Eval equals the clean top-2 gate computed from the linear layer alone.
  const auto logits =
      (torch::matmul(x, parameter(*gates, "linear.weight").t()) + parameter(*gates, "linear.bias")).view({16, 2, 4});
  const auto top = logits.topk(2, 2);
  const auto expected = torch::zeros_like(logits).scatter(2, std::get<1>(top), torch::softmax(std::get<0>(top), 2));
  EXPECT_LT((c - expected).abs().max().item<float>(), 1e-6);
}

TEST(TaskGates, NoiseScaleIsSoftplusOfTheNoiseNetwork) {
  // A huge negative noise bias makes softplus ~ 0: training output equals eval output.
  torch::manual_seed(14);
  TaskGates gates(TaskGatesOptions(3, 1, 3).noisy(true));
  {
    torch::NoGradGuard no_grad;
    parameter(*gates, "noise.bias").fill_(-60.0);
  }
  const auto x = torch::randn({5, 3});
  gates->train();
  const auto noisy = gates->forward(x).weights;
  gates->eval();
  EXPECT_LT((noisy - gates->forward(x).weights).abs().max().item<float>(), 1e-6);
}

TEST(TaskGates, LoadBalanceLossIsTheWeightForUniformRouting) {
  // Row i has logit 5 on expert i and 0 elsewhere: f_e = 1/4, P_e = 1/4 by symmetry, E sum f P = 1.
  auto gates = identity_gates(TaskGatesOptions(4, 2, 4).load_balance_weight(0.01), 5.0);
  const auto aux = gates->forward(torch::eye(4, torch::kDouble)).aux_loss;
  ASSERT_TRUE(aux.defined());
  EXPECT_EQ(aux.dim(), 0);
  EXPECT_NEAR(aux.item<double>(), 0.01, 1e-15);
  // All logits equal: argmax ties send every row to e0 (f_0 = 1) but P_e = 1/4, so still 1.
  auto flat = identity_gates(TaskGatesOptions(4, 2, 4).load_balance_weight(0.01), 0.0);
  EXPECT_NEAR(flat->forward(torch::randn({6, 4}, torch::kDouble)).aux_loss.item<double>(), 0.01, 1e-15);
}

TEST(TaskGates, LoadBalanceLossGrowsWhenRoutingCollapses) {
  // Every row has logits (2, 0, 0, 0): f_0 = 1, P_0 = e^2 / (e^2 + 3); aux = w * 4 * P_0.
  const double p0 = std::exp(2.0) / (std::exp(2.0) + 3.0);
  for (int64_t k : {0, 1}) {  // top-k uses the dense probabilities for P
    auto gates = identity_gates(TaskGatesOptions(4, 1, 4).top_k(k).load_balance_weight(0.5), 0.0);
    {
      torch::NoGradGuard no_grad;
      parameter(*gates, "linear.bias").copy_(torch::tensor({2.0, 0.0, 0.0, 0.0}, torch::kDouble));
    }
    const double aux = gates->forward(torch::randn({5, 4}, torch::kDouble)).aux_loss.item<double>();
    EXPECT_NEAR(aux, 0.5 * 4.0 * p0, 1e-12);
    EXPECT_GT(aux, 0.5);
  }
}

TEST(TaskGates, TopKAndLoadBalanceGradientsMatchFiniteDifferences) {
  torch::manual_seed(15);
  TaskGates gates(TaskGatesOptions(5, 2, 5).top_k(2).temperature(0.7).load_balance_weight(0.3));
  gates->to(torch::kDouble);
  const auto x = torch::randn({6, 5}, torch::kDouble);
  const auto coefficients = torch::randn({6, 2, 5}, torch::kDouble);
  auto loss = [&] {
    const auto result = gates->forward(x);
    return (result.weights * coefficients).sum() + result.aux_loss;
  };
  for (auto& p : gates->parameters()) EXPECT_LT(testing::max_gradient_error(loss, p), 1e-6);
}

TEST(Mmoe, PassesGateOptionsAndReportsTheAuxiliaryLoss) {
  torch::manual_seed(16);
  std::vector<TaskHeadSpec> tasks(2);
  tasks[0].name = "a";
  tasks[1].name = "b";
  ModelSpec spec;
  spec.input_dim = 6;
  spec.tasks = tasks;
  spec.num_experts = 4;
  spec.expert_hidden = {5};
  spec.gate.top_k = 2;
  spec.gate.noisy = true;
  spec.gate.load_balance_weight = 0.2;
  Mmoe model(spec);
  const auto groups = model->parameter_groups();
  EXPECT_EQ(groups.gates.size(), 4u);  // linear and noise, weight and bias
  {
    torch::NoGradGuard no_grad;
    for (auto& p : groups.gates) p.zero_();  // noise scale softplus(0) = ln 2, logits all equal
  }
  model->eval();
  const auto out = model->forward(torch::randn({8, 6}));
  EXPECT_TRUE(out.gates.gt(0).sum(2).eq(2).all().item<bool>());
  ASSERT_TRUE(out.aux_loss.defined());
  EXPECT_NEAR(out.aux_loss.item<float>(), 0.2f, 1e-6);
  spec.gate = GateSpec{};
  EXPECT_FALSE(Mmoe(spec)->forward(torch::randn({2, 6})).aux_loss.defined());
}

TaskGateSummary summary_of(std::vector<double> utilization) {
  TaskGateSummary s;
  s.utilization = std::move(utilization);
  return s;
}

TEST(CollapseWarnings, CollapsedGatesAreNamedAndHealthyGatesAreNot) {
  const std::vector<TaskGateSummary> gates = {
      summary_of({0.25, 0.25, 0.25, 0.25}),           // healthy
      summary_of({0.03, 0.931, 0.02, 0.019}),         // one expert dominates
      summary_of({0.004, 0.25, 0.246, 0.25, 0.25}),   // one expert starved; 1/(10E) = 2%
      summary_of({}),                                 // no rows this epoch
  };
  const auto warnings = collapse_warnings(gates, {"size", "color", "shape", "empty"}, 0.0);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0], "gate 'color': expert e1 takes 93.1% of the routing");
  EXPECT_EQ(warnings[1],
            "gate 'shape': expert e0 utilisation 0.4% is below 2.0% (1/(10E)); the expert may have collapsed");
}

TEST(CollapseWarnings, ExplicitThresholdListsEveryStarvedExpert) {
  const auto warnings = collapse_warnings({summary_of({0.05, 0.5, 0.08, 0.37})}, {"tags"}, 0.1);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0],
            "gate 'tags': experts e0 (5.0%), e2 (8.0%) have utilisation below 10.0%; the experts may have collapsed");
  EXPECT_TRUE(collapse_warnings({summary_of({0.5, 0.5})}, {"tags"}, 0.1).empty());
  EXPECT_THROW(collapse_warnings({summary_of({0.5, 0.5})}, {}, 0.0), c10::Error);
}

}  // namespace
}  // namespace mmoe::models
