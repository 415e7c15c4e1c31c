// make_optimizer: AdamW param groups per named part of the model (shared, experts, gates,
// towers), per-group overrides from optim.groups, and no weight decay on biases and norm
// parameters (torch's usual "no_decay" split).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "models/make_model.h"
#include "trainer/optimizer_setup.h"

namespace mmoe::trainer {
namespace {

// Input 6 -> shared layer 8 (Linear + BatchNorm) -> 2 experts [8, 4] -> towers [4] -> 2 tasks.
models::MultiTaskModel optimizer_test_model(int64_t shared_dim) {
  models::TaskHeadSpec a;
  a.name = "a";
  a.output_dim = 3;
  models::TaskHeadSpec b;
  b.name = "b";
  b.type = TaskType::kRegression;
  b.output_dim = 1;
  models::ModelSpec spec;
  spec.type = models::ModelType::kMmoe;
  spec.input_dim = 6;
  spec.tasks = {a, b};
  spec.num_experts = 2;
  spec.expert_hidden = {8, 4};
  spec.tower_hidden = {4};
  spec.shared_dim = shared_dim;
  return models::make_model(spec);
}

// The group the model declares for each parameter (the input make_optimizer works from).
std::map<const void*, std::string> declared_parameter_groups(const models::MultiTaskModelImpl& model) {
  const auto groups = model.parameter_groups();
  std::map<const void*, std::string> declared;
  for (const auto& p : groups.shared) declared[p.unsafeGetTensorImpl()] = "shared";
  for (const auto& p : groups.experts) declared[p.unsafeGetTensorImpl()] = "experts";
  for (const auto& p : groups.gates) declared[p.unsafeGetTensorImpl()] = "gates";
  for (const auto& p : groups.towers) declared[p.unsafeGetTensorImpl()] = "towers";
  return declared;
}

const torch::optim::AdamWOptions& adamw_options(const torch::optim::OptimizerParamGroup& group) {
  return static_cast<const torch::optim::AdamWOptions&>(group.options());
}

// The last component of a registered parameter name, e.g. "bias_0" of "experts.bias_0".
std::string optimizer_leaf_name(const std::string& name) {
  const auto dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

// Parameter -> its group's index, by identity of the tensor.
std::map<const void*, std::vector<size_t>> optimizer_group_membership(const GroupedOptimizer& grouped) {
  std::map<const void*, std::vector<size_t>> membership;
  const auto& groups = grouped.optimizer->param_groups();
  for (size_t g = 0; g < groups.size(); ++g) {
    for (const auto& p : groups[g].params()) membership[p.unsafeGetTensorImpl()].push_back(g);
  }
  return membership;
}

experiments::OptimConfig optimizer_test_config() {
  experiments::OptimConfig config;
  config.lr = 1e-3;
  config.weight_decay = 0.05;
  config.beta1 = 0.8;
  config.beta2 = 0.99;
  config.eps = 1e-7;
  return config;
}

TEST(MakeOptimizer, EveryParameterInExactlyOneGroup) {
  auto model = optimizer_test_model(8);
  const auto grouped = make_optimizer(*model, optimizer_test_config());
  const auto membership = optimizer_group_membership(grouped);
  const auto named = model->named_parameters(true);
  EXPECT_EQ(membership.size(), named.size());
  size_t total = 0;
  for (const auto& group : grouped.optimizer->param_groups()) total += group.params().size();
  EXPECT_EQ(total, named.size());
  for (const auto& item : named) {
    const auto found = membership.find(item.value().unsafeGetTensorImpl());
    ASSERT_NE(found, membership.end()) << item.key() << " is in no param group";
    EXPECT_EQ(found->second.size(), 1u) << item.key() << " is in several param groups";
  }
  EXPECT_EQ(grouped.group_names.size(), grouped.optimizer->param_groups().size());
  EXPECT_EQ(grouped.lr_groups, (std::vector<std::string>{"shared", "experts", "gates", "towers"}));
}

TEST(MakeOptimizer, ParametersLandInTheirNamedGroup) {
  auto model = optimizer_test_model(8);
  const auto grouped = make_optimizer(*model, optimizer_test_config());
  const auto membership = optimizer_group_membership(grouped);
  const auto declared = declared_parameter_groups(*model);
  EXPECT_EQ(declared.size(), model->parameters().size());
  std::set<std::string> seen;
  for (const auto& item : model->named_parameters(true)) {
    const size_t g = membership.at(item.value().unsafeGetTensorImpl()).front();
    EXPECT_EQ(grouped.group_names[g], declared.at(item.value().unsafeGetTensorImpl())) << item.key();
    seen.insert(grouped.group_names[g]);
  }
  EXPECT_EQ(seen, (std::set<std::string>{"shared", "experts", "gates", "towers"}));
}

TEST(MakeOptimizer, NoWeightDecayOnBiasesAndNormParameters) {
  auto model = optimizer_test_model(8);
  const auto grouped = make_optimizer(*model, optimizer_test_config());
  const auto membership = optimizer_group_membership(grouped);
  const auto& groups = grouped.optimizer->param_groups();
  int biases = 0;
  int norms = 0;
  for (const auto& item : model->named_parameters(true)) {
    const auto& name = item.key();
    const bool is_bias = optimizer_leaf_name(name).rfind("bias", 0) == 0;  // bias, bias_0, ...
    const bool is_norm = name.find("norm") != std::string::npos;
    biases += is_bias;
    norms += is_norm;
    const size_t g = membership.at(item.value().unsafeGetTensorImpl()).front();
    const double decay = adamw_options(groups[g]).weight_decay();
    if (item.value().dim() <= 1 || is_bias || is_norm) {
      EXPECT_EQ(decay, 0.0) << name << " " << item.value().sizes();
    } else {
      EXPECT_DOUBLE_EQ(decay, 0.05) << name << " " << item.value().sizes();
    }
  }
  EXPECT_GE(norms, 2);   // input.shared.norm.weight and .bias
  EXPECT_GE(biases, 5);  // shared linear + norm, experts (2 layers), gates, towers
}

TEST(MakeOptimizer, AdamWHyperparametersReachEveryGroup) {
  auto model = optimizer_test_model(8);
  const auto grouped = make_optimizer(*model, optimizer_test_config());
  for (const auto& group : grouped.optimizer->param_groups()) {
    const auto& options = adamw_options(group);
    EXPECT_DOUBLE_EQ(options.lr(), 1e-3);
    EXPECT_DOUBLE_EQ(std::get<0>(options.betas()), 0.8);
    EXPECT_DOUBLE_EQ(std::get<1>(options.betas()), 0.99);
    EXPECT_DOUBLE_EQ(options.eps(), 1e-7);
  }
}

TEST(MakeOptimizer, GroupOverridesApplyOnlyToTheirGroup) {
  auto model = optimizer_test_model(8);
  auto config = optimizer_test_config();
  config.groups[experiments::ParamGroup::kExperts].lr = 0.01;
  config.groups[experiments::ParamGroup::kGates].weight_decay = 0.0;
  const auto grouped = make_optimizer(*model, config);
  const auto membership = optimizer_group_membership(grouped);
  const auto& groups = grouped.optimizer->param_groups();
  for (size_t g = 0; g < groups.size(); ++g) {
    const auto& name = grouped.group_names[g];
    EXPECT_DOUBLE_EQ(adamw_options(groups[g]).lr(), name == "experts" ? 0.01 : 1e-3) << name;
    if (name == "gates") {
      EXPECT_EQ(adamw_options(groups[g]).weight_decay(), 0.0);
    }
  }
  // Matrices keep the default decay everywhere except the gates.
  for (const auto& item : model->named_parameters(true)) {
    if (item.value().dim() < 2 || optimizer_leaf_name(item.key()).rfind("bias", 0) == 0) continue;
    const size_t g = membership.at(item.value().unsafeGetTensorImpl()).front();
    const double expected = grouped.group_names[g] == "gates" ? 0.0 : 0.05;
    EXPECT_DOUBLE_EQ(adamw_options(groups[g]).weight_decay(), expected) << item.key();
  }
  EXPECT_DOUBLE_EQ(grouped.learning_rate("experts"), 0.01);
  EXPECT_DOUBLE_EQ(grouped.learning_rate("towers"), 1e-3);
}

TEST(MakeOptimizer, NoSharedGroupWithoutSharedLayer) {
  auto model = optimizer_test_model(0);
  const auto grouped = make_optimizer(*model, optimizer_test_config());
  EXPECT_EQ(grouped.lr_groups, (std::vector<std::string>{"experts", "gates", "towers"}));
  for (const auto& name : grouped.group_names) EXPECT_NE(name, "shared");
  EXPECT_EQ(optimizer_group_membership(grouped).size(), model->parameters().size());
}

TEST(MakeOptimizer, LearningRatesRoundTrip) {
  auto model = optimizer_test_model(8);
  auto config = optimizer_test_config();
  config.groups[experiments::ParamGroup::kExperts].lr = 0.01;
  auto grouped = make_optimizer(*model, config);
  auto lrs = grouped.learning_rates();
  ASSERT_EQ(lrs.size(), grouped.optimizer->param_groups().size());
  for (size_t g = 0; g < lrs.size(); ++g) {
    EXPECT_DOUBLE_EQ(lrs[g], grouped.group_names[g] == "experts" ? 0.01 : 1e-3);
  }
  std::vector<double> halved;
  for (double lr : lrs) halved.push_back(lr / 2);
  grouped.set_learning_rates(halved);
  EXPECT_EQ(grouped.learning_rates(), halved);
  EXPECT_DOUBLE_EQ(grouped.learning_rate("experts"), 0.005);
  EXPECT_DOUBLE_EQ(grouped.learning_rate("gates"), 5e-4);
  for (size_t g = 0; g < halved.size(); ++g) {
    EXPECT_DOUBLE_EQ(adamw_options(grouped.optimizer->param_groups()[g]).lr(), halved[g]);
  }
}

TEST(MakeOptimizer, StepsWithoutError) {
  // The optimizer is usable: one AdamW step on a real loss moves every parameter with a gradient.
  auto model = optimizer_test_model(8);
  auto grouped = make_optimizer(*model, optimizer_test_config());
  const auto before = model->parameter_groups().experts.front().clone();
  torch::manual_seed(0);
  const auto out = model->forward(torch::randn({4, 6}));
  (out.task_outputs[0].pow(2).sum() + out.task_outputs[1].pow(2).sum()).backward();
  grouped.optimizer->step();
  EXPECT_FALSE(torch::equal(before, model->parameter_groups().experts.front()));
}

}  // namespace
}  // namespace mmoe::trainer
