// Parameter counts against hand formulas, and equal-budget baselines as in the MMoE paper's
// comparison (an MMoE against a shared bottom with about as many parameters).
#include <cmath>
#include <string>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/param_budget.h"

namespace mmoe::models::param_budget_test {
namespace {

TaskHeadSpec regression_head(std::string name) {
  TaskHeadSpec task;
  task.name = std::move(name);
  task.type = TaskType::kRegression;
  task.output_dim = 1;
  return task;
}

// Input 100, two regression tasks, towers with one hidden layer of 8 units.
ModelSpec paper_spec(ModelType type) {
  ModelSpec spec;
  spec.type = type;
  spec.input_dim = 100;
  spec.tasks = {regression_head("y1"), regression_head("y2")};
  spec.num_experts = 8;
  spec.expert_hidden = {16};
  spec.tower_hidden = {8};
  return spec;
}

// MMoE, 8 experts of one hidden layer of 16 units, D = 100, T = 2, towers [8]:
//   experts  E (D H + H)          = 8 (100*16 + 16)  = 12928
//   gates    D (T E) + T E        = 100*16 + 16      =  1616
//   towers   T ((H*8 + 8) + (8 + 1)) = 2 (136 + 9)   =   290
//   total                                              = 14834
constexpr int64_t kMmoeParameters = 14834;

TEST(ParamBudget, CountsTheMmoeOfThePaperComparisonByHand) {
  EXPECT_EQ(count_parameters(paper_spec(ModelType::kMmoe)), kMmoeParameters);
}

TEST(ParamBudget, CountsExcludeBuffersAndIncludeLossLogVariances) {
  ModelSpec spec;
  spec.type = ModelType::kSharedBottom;
  spec.input_dim = 4;
  spec.standardize_features = true;  // buffers: feature mean, inverse std
  spec.shared_dim = 3;               // Linear(4, 3) = 15, BatchNorm weight + bias = 6 (+ running stats: buffers)
  spec.bottom_hidden = {2};          // 3*2 + 2 = 8
  spec.tower_hidden = {};            // Linear(2, 1) = 3
  spec.tasks = {regression_head("y")};
  spec.tasks[0].target_mean = {5.0};  // buffers
  spec.tasks[0].target_std = {2.0};
  EXPECT_EQ(count_parameters(spec), 15 + 6 + 8 + 3);
  spec.loss_weighting = LossWeighting::kUncertainty;
  EXPECT_EQ(count_parameters(spec), 15 + 6 + 8 + 3 + 1);
}

TEST(ParamBudget, FitsASharedBottomToTheMmoesBudget) {
  // Shared bottom of width n: bottom 100 n + n, towers 2 ((8 n + 8) + 9): 117 n + 34 <= 14834
  // -> n = 126 (14776); n = 127 gives 14893.
  auto base = paper_spec(ModelType::kSharedBottom);
  base.bottom_hidden = {16};
  const auto fitted = fit_to_parameter_budget(base, kMmoeParameters);
  ASSERT_EQ(fitted.bottom_hidden, (std::vector<int64_t>{126}));
  EXPECT_EQ(count_parameters(fitted), 117 * 126 + 34);
  EXPECT_LE(count_parameters(fitted), kMmoeParameters);
  auto wider = fitted;
  wider.bottom_hidden = {127};
  EXPECT_GT(count_parameters(wider), kMmoeParameters);
  EXPECT_EQ(fitted.type, ModelType::kSharedBottom);
  EXPECT_EQ(fitted.tower_hidden, base.tower_hidden);
}

TEST(ParamBudget, FitsSingleTaskNetworksWithExpertHiddenAsTheBase) {
  // bottom_hidden empty: scales expert_hidden {16}. Two networks: 2 (101 n) + 2 (8 n + 17) = 218 n + 34
  // <= 14834 -> n = 67 (14640); 68 gives 14858.
  const auto fitted = fit_to_parameter_budget(paper_spec(ModelType::kSingleTask), kMmoeParameters);
  ASSERT_EQ(fitted.bottom_hidden, (std::vector<int64_t>{67}));
  EXPECT_EQ(count_parameters(fitted), 218 * 67 + 34);
}

TEST(ParamBudget, ScalesEveryWidthByOneFactor) {
  auto spec = paper_spec(ModelType::kSharedBottom);
  spec.bottom_hidden = {64, 32, 8};
  const int64_t budget = 50000;
  const auto fitted = fit_to_parameter_budget(spec, budget);
  ASSERT_EQ(fitted.bottom_hidden.size(), 3u);
  const int64_t n = fitted.bottom_hidden[0];
  EXPECT_EQ(fitted.bottom_hidden[1], std::llround(n / 2.0));
  EXPECT_EQ(fitted.bottom_hidden[2], std::max<int64_t>(1, std::llround(n / 8.0)));
  EXPECT_LE(count_parameters(fitted), budget);
  auto wider = fitted;
  wider.bottom_hidden = {n + 1, std::llround((n + 1) / 2.0), std::max<int64_t>(1, std::llround((n + 1) / 8.0))};
  EXPECT_GT(count_parameters(wider), budget);
}

TEST(ParamBudget, RejectsBudgetsBelowWidthOneAndOtherModelTypes) {
  auto spec = paper_spec(ModelType::kSharedBottom);
  // width 1: bottom 101 + towers 2 (16 + 9) = 151
  EXPECT_EQ(fit_to_parameter_budget(spec, 151).bottom_hidden, (std::vector<int64_t>{1}));
  try {
    fit_to_parameter_budget(spec, 150);
    ADD_FAILURE() << "expected c10::Error";
  } catch (const c10::Error& error) {
    EXPECT_NE(std::string(error.what()).find("budget of 150"), std::string::npos) << error.what();
  }
  for (ModelType type : {ModelType::kMmoe, ModelType::kOmoe, ModelType::kPle}) {
    EXPECT_THROW(fit_to_parameter_budget(paper_spec(type), 1000000), c10::Error) << to_string(type);
  }
}

}  // namespace
}  // namespace mmoe::models::param_budget_test
