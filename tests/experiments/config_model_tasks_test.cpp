// The model architecture, gating and task-head keys: cross-key rules, booleans, label weights.
#include <string>

#include <gtest/gtest.h>

#include "config_test_util.h"
#include "experiments/config_loader.h"

namespace mmoe::experiments {
namespace {

using testing::error_of;
using testing::load;

TEST(ConfigModelTasks, GateTopKIsBoundedByTheExpertsOfMmoeAndOmoeOnly) {
  EXPECT_EQ(load("data: {dir: /d}\nmodel: {num_experts: 4, gate: {top_k: 4, noisy: true}}\n")
                .config.model.gate.top_k,
            4);
  EXPECT_EQ(load("data: {dir: /d}\nmodel: {type: omoe, num_experts: 2, gate: {top_k: 1}}\n")
                .config.model.gate.top_k,
            1);
  // Without a pool of num_experts experts the bound does not apply.
  for (const char* type : {"shared_bottom", "single_task", "ple"}) {
    const Config c = load(std::string("data: {dir: /d}\nmodel: {type: ") + type +
                          ", num_experts: 2, gate: {top_k: 3}}\n")
                         .config;
    EXPECT_EQ(c.model.gate.top_k, 3) << type;
  }
}

TEST(ConfigModelTasks, PleTopKIsBoundedByATaskGatesExperts) {
  // Default PLE: 1 task expert + 2 shared experts per task gate.
  EXPECT_EQ(error_of("data: {dir: /d}\nmodel: {type: ple, gate: {top_k: 4}}\n"),
            "cfg.yaml: model.gate.top_k: must be <= model.ple.task_experts + model.ple.shared_experts (3) "
            "(got 4); a PLE task gate mixes its task's experts and the shared ones");
  EXPECT_EQ(load("data: {dir: /d}\nmodel: {type: ple, ple: {task_experts: 2}, gate: {top_k: 4}}\n")
                .config.model.gate.top_k,
            4);
}

TEST(ConfigModelTasks, ParamBudgetOnlyForSharedBottomAndSingleTask) {
  EXPECT_EQ(load("data: {dir: /d}\nmodel: {type: shared_bottom, param_budget: 1}\n")
                .config.model.param_budget,
            1);
  EXPECT_EQ(load("data: {dir: /d}\nmodel: {type: single_task, param_budget: 5000000}\n")
                .config.model.param_budget,
            5000000);
  EXPECT_EQ(load("data: {dir: /d}\nmodel: {type: omoe, param_budget: 0}\n")
                .config.model.param_budget,
            0);
  EXPECT_EQ(error_of("data: {dir: /d}\nmodel: {type: omoe, param_budget: 7}\n"),
            "cfg.yaml: model.param_budget: must be 0 for model.type omoe (got 7); only "
            "shared_bottom and single_task networks are sized to a budget");
}

TEST(ConfigModelTasks, BooleansReadTheYaml12Spellings) {
  const Config c = load(
      "data: {dir: /d}\n"
      "model: {standardize_features: True, gate: {top_k: 1, noisy: TRUE}}\n"
      "tasks: {a: {standardize_target: 'true'}, b: {standardize_target: False}}\n")
                       .config;
  EXPECT_TRUE(c.model.standardize_features);
  EXPECT_TRUE(c.model.gate.noisy);
  EXPECT_TRUE(c.tasks.at("a").standardize_target);
  EXPECT_FALSE(c.tasks.at("b").standardize_target);
  for (const char* bad : {"yes", "no", "on", "off", "1", "0", "y", "t"}) {
    EXPECT_EQ(error_of(std::string("data: {dir: /d}\nmodel: {standardize_features: ") + bad +
                       "}\n"),
              std::string("cfg.yaml: model.standardize_features: expected true or false (got '") +
                  bad + "')");
  }
}

TEST(ConfigModelTasks, LabelWeightsForms) {
  const Config c = load(
      "data: {dir: /d}\n"
      "tasks:\n"
      "  a: {class_weights: none, pos_weight: balanced}\n"
      "  b: {class_weights: balanced, pos_weight: none}\n"
      "  c: {class_weights: [1, 2.5, 1e-3], pos_weight: ['4']}\n"
      "  d: {class_weights: [7]}\n")
                       .config;
  EXPECT_EQ(c.tasks.at("a").class_weights.mode, LabelWeights::Mode::kNone);
  EXPECT_EQ(c.tasks.at("a").pos_weight.mode, LabelWeights::Mode::kBalanced);
  EXPECT_EQ(c.tasks.at("b").class_weights.mode, LabelWeights::Mode::kBalanced);
  EXPECT_EQ(c.tasks.at("b").pos_weight.mode, LabelWeights::Mode::kNone);
  EXPECT_EQ(c.tasks.at("c").class_weights.mode, LabelWeights::Mode::kExplicit);
  EXPECT_EQ(c.tasks.at("c").class_weights.values, (std::vector<double>{1.0, 2.5, 0.001}));
  EXPECT_EQ(c.tasks.at("c").pos_weight.values, (std::vector<double>{4.0}));
  EXPECT_EQ(c.tasks.at("d").class_weights.values, (std::vector<double>{7.0}));
  for (const char* name : {"a", "b"}) {
    EXPECT_TRUE(c.tasks.at(name).class_weights.values.empty()) << name;
    EXPECT_TRUE(c.tasks.at(name).pos_weight.values.empty()) << name;
  }
}

TEST(ConfigModelTasks, NonFiniteFeaturesSkipNeedsTheSplitInMemory) {
  EXPECT_EQ(load("data: {dir: /d}\n").config.data.nonfinite_features, NonFiniteFeatures::kError);
  EXPECT_EQ(load("data: {dir: /d, nonfinite_features: skip}\n").config.data.nonfinite_features,
            NonFiniteFeatures::kSkip);
  EXPECT_EQ(load("data: {dir: /d, nonfinite_features: skip, cache: device}\n").config.data.nonfinite_features,
            NonFiniteFeatures::kSkip);
  EXPECT_EQ(error_of("data: {dir: /d, nonfinite_features: skip, cache: none}\n"),
            "cfg.yaml: data.nonfinite_features: skip needs data.cache host or device (got none); a streamed epoch "
            "cannot drop rows and keep every rank's step count equal; clean the shards or hold the split in memory");
  EXPECT_EQ(error_of("data: {dir: /d, nonfinite_features: drop}\n"),
            "cfg.yaml: data.nonfinite_features: must be one of error, skip (got 'drop')");
}

}  // namespace
}  // namespace mmoe::experiments
