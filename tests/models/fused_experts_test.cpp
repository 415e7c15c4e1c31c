// Fused experts against a straightforward per-expert loop (the test oracle), and finite-
// difference gradients in float64.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/fused_experts.h"
#include "tests/support/finite_difference.h"

namespace mmoe::models {
namespace {

// Oracle: each expert e as a plain MLP using its slice of the fused parameters. [E, B, H]
torch::Tensor looped_experts(FusedExpertsImpl& experts, const torch::Tensor& x) {
  std::vector<torch::Tensor> outputs;
  const auto& w = experts.weights();
  const auto& b = experts.biases();
  for (int64_t e = 0; e < experts.options().num_experts(); ++e) {
    auto h = torch::relu(torch::matmul(x, w[0].select(1, e)) + b[0][e]);
    for (size_t layer = 1; layer < w.size(); ++layer) {
      h = torch::relu(torch::matmul(h, w[layer][e]) + b[layer][e]);
    }
    outputs.push_back(h);
  }
  return torch::stack(outputs);
}

TEST(FusedExperts, MatchesLoopedOracleInFloat32) {
  torch::manual_seed(1);
  FusedExperts experts(FusedExpertsOptions(24, 5, {16, 12, 8}));
  const auto x = torch::randn({33, 24});
  const auto fused = experts->forward(x);
  ASSERT_EQ(fused.sizes(), (std::vector<int64_t>{5, 33, 8}));
  const auto oracle = looped_experts(*experts, x);
  EXPECT_LT((fused - oracle).abs().max().item<float>(), 1e-6);
}

TEST(FusedExperts, SingleLayerSingleExpertIsALinearLayerPlusRelu) {
  torch::manual_seed(2);
  FusedExperts experts(FusedExpertsOptions(3, 1, {2}));
  const auto x = torch::tensor({{1.0f, -2.0f, 0.5f}});
  const auto w = experts->weights()[0].select(1, 0);  // [3, 2]
  const auto b = experts->biases()[0][0];             // [2]
  const auto out = experts->forward(x)[0][0];
  for (int j = 0; j < 2; ++j) {
    const float expected = std::max(0.0f, 1.0f * w[0][j].item<float>() - 2.0f * w[1][j].item<float>() +
                                              0.5f * w[2][j].item<float>() + b[j].item<float>());
    EXPECT_NEAR(out[j].item<float>(), expected, 1e-6);
  }
}

TEST(FusedExperts, InitialisationBoundsFollowFanIn) {
  torch::manual_seed(3);
  FusedExperts experts(FusedExpertsOptions(100, 4, {64, 9}));
  EXPECT_LE(experts->weights()[0].abs().max().item<double>(), 1.0 / std::sqrt(100.0));
  EXPECT_LE(experts->weights()[1].abs().max().item<double>(), 1.0 / std::sqrt(64.0));
  EXPECT_GT(experts->weights()[1].abs().max().item<double>(), 0.5 / std::sqrt(64.0));
}

TEST(FusedExperts, GradientsMatchFiniteDifferencesInFloat64) {
  torch::manual_seed(4);
  FusedExperts experts(FusedExpertsOptions(6, 3, {5, 4}).activation(Activation::kTanh));
  experts->to(torch::kDouble);
  const auto x = torch::randn({7, 6}, torch::kDouble);
  const auto projection = torch::randn({3, 7, 4}, torch::kDouble);
  auto loss = [&] { return (experts->forward(x) * projection).sum(); };
  for (auto& p : experts->parameters()) {
    EXPECT_LT(testing::max_gradient_error(loss, p), 1e-6);
  }
}

TEST(FusedExperts, RejectsBadOptions) {
  EXPECT_THROW(FusedExperts(FusedExpertsOptions(4, 0, {3})), c10::Error);
  EXPECT_THROW(FusedExperts(FusedExpertsOptions(4, 2, {})), c10::Error);
  EXPECT_THROW(FusedExperts(FusedExpertsOptions(4, 2, {3}).dropout(1.0)), c10::Error);
  FusedExperts experts(FusedExpertsOptions(4, 2, {3}));
  EXPECT_THROW(experts->forward(torch::randn({2, 5})), c10::Error);
}

}  // namespace
}  // namespace mmoe::models
