// select_tasks / head_specs / model_spec: from the typed config and a dataset's task list to
// the model's options.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "models/param_budget.h"
#include "trainer/model_factory.h"
#include "trainer/train_error.h"

namespace mmoe::trainer {
namespace {

// A dataset with one task of each kind, in this order: family, habitat, trophic_level.
data::DatasetManifest factory_manifest() {
  data::DatasetManifest manifest;
  manifest.name = "fish";
  manifest.feature_dim = 12;
  data::TaskSchema family;
  family.name = "family";
  family.type = TaskType::kMulticlass;
  family.class_names = {"a", "b", "c"};
  data::TaskSchema habitat;
  habitat.name = "habitat";
  habitat.type = TaskType::kMultilabel;
  habitat.class_names = {"reef", "pelagic"};
  data::TaskSchema trophic;
  trophic.name = "trophic_level";
  trophic.type = TaskType::kRegression;
  trophic.num_outputs = 1;
  manifest.tasks = {family, habitat, trophic};
  return manifest;
}

std::vector<std::string> factory_task_names(const std::vector<data::TaskSchema>& tasks) {
  std::vector<std::string> names;
  for (const auto& task : tasks) names.push_back(task.name);
  return names;
}

// The message of the TrainError `fn` throws; fails the test when it throws nothing.
template <typename Fn>
std::string factory_error_message(Fn fn) {
  try {
    fn();
  } catch (const TrainError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a TrainError";
  return {};
}

TEST(ModelFactory, NoConfiguredTasksSelectsEveryDatasetTaskInOrder) {
  const experiments::Config config;
  const auto tasks = select_tasks(config, factory_manifest());
  EXPECT_EQ(factory_task_names(tasks), (std::vector<std::string>{"family", "habitat", "trophic_level"}));
}

TEST(ModelFactory, ConfiguredTasksKeepDatasetOrder) {
  experiments::Config config;
  config.tasks["trophic_level"] = {};
  config.tasks["family"] = {};
  const auto tasks = select_tasks(config, factory_manifest());
  EXPECT_EQ(factory_task_names(tasks), (std::vector<std::string>{"family", "trophic_level"}));
}

TEST(ModelFactory, UnknownTaskNamesKeyAndDatasetTasks) {
  experiments::Config config;
  config.tasks["family"] = {};
  config.tasks["order"] = {};
  const auto message = factory_error_message([&] { select_tasks(config, factory_manifest()); });
  EXPECT_NE(message.find("tasks.order"), std::string::npos) << message;
  EXPECT_NE(message.find("family"), std::string::npos) << message;
  EXPECT_NE(message.find("habitat"), std::string::npos) << message;
  EXPECT_NE(message.find("trophic_level"), std::string::npos) << message;
}

TEST(ModelFactory, LabelSmoothingOnlyForMulticlass) {
  experiments::Config regression;
  regression.tasks["trophic_level"].label_smoothing = 0.1;
  const auto message = factory_error_message([&] { select_tasks(regression, factory_manifest()); });
  EXPECT_NE(message.find("tasks.trophic_level.label_smoothing"), std::string::npos) << message;

  experiments::Config multilabel;
  multilabel.tasks["habitat"].label_smoothing = 0.1;
  EXPECT_THROW(select_tasks(multilabel, factory_manifest()), TrainError);

  experiments::Config multiclass;
  multiclass.tasks["family"].label_smoothing = 0.1;
  EXPECT_NO_THROW(select_tasks(multiclass, factory_manifest()));
}

TEST(ModelFactory, HeadSpecsCarryTypesDimsWeightsAndSmoothing) {
  experiments::Config config;
  config.tasks["family"].weight = 2.5;
  config.tasks["family"].label_smoothing = 0.1;
  config.tasks["habitat"].weight = 0.5;
  config.tasks["trophic_level"] = {};
  const auto heads = head_specs(config, select_tasks(config, factory_manifest()));
  ASSERT_EQ(heads.size(), 3u);
  EXPECT_EQ(heads[0].name, "family");
  EXPECT_EQ(heads[0].type, TaskType::kMulticlass);
  EXPECT_EQ(heads[0].output_dim, 3);
  EXPECT_DOUBLE_EQ(heads[0].loss_weight, 2.5);
  EXPECT_DOUBLE_EQ(heads[0].label_smoothing, 0.1);
  EXPECT_EQ(heads[1].name, "habitat");
  EXPECT_EQ(heads[1].type, TaskType::kMultilabel);
  EXPECT_EQ(heads[1].output_dim, 2);
  EXPECT_DOUBLE_EQ(heads[1].loss_weight, 0.5);
  EXPECT_DOUBLE_EQ(heads[1].label_smoothing, 0.0);
  EXPECT_EQ(heads[2].name, "trophic_level");
  EXPECT_EQ(heads[2].type, TaskType::kRegression);
  EXPECT_EQ(heads[2].output_dim, 1);
  EXPECT_DOUBLE_EQ(heads[2].loss_weight, 1.0);
}

TEST(ModelFactory, HeadSpecsDefaultWhenNoTaskConfig) {
  const experiments::Config config;
  const auto heads = head_specs(config, select_tasks(config, factory_manifest()));
  ASSERT_EQ(heads.size(), 3u);
  for (const auto& head : heads) {
    EXPECT_DOUBLE_EQ(head.loss_weight, 1.0) << head.name;
    EXPECT_DOUBLE_EQ(head.label_smoothing, 0.0) << head.name;
  }
}

TEST(ModelFactory, ModelSpecCarriesModelConfig) {
  experiments::Config config;
  config.model.num_experts = 3;
  config.model.expert_hidden = {32, 16};
  config.model.tower_hidden = {8, 4};
  config.model.gate.temperature = 2.0;
  config.model.activation = experiments::Activation::kGelu;
  config.model.expert_dropout = 0.2;
  config.model.shared_layer.dim = 24;
  config.model.shared_layer.dropout = 0.1;
  const auto heads = head_specs(config, select_tasks(config, factory_manifest()));
  const auto spec = model_spec(config, 12, heads);
  EXPECT_EQ(spec.type, models::ModelType::kMmoe);
  EXPECT_EQ(spec.input_dim, 12);
  ASSERT_EQ(spec.tasks.size(), 3u);
  EXPECT_EQ(spec.tasks[1].name, "habitat");
  EXPECT_EQ(spec.num_experts, 3);
  EXPECT_EQ(spec.expert_hidden, (std::vector<int64_t>{32, 16}));
  EXPECT_EQ(spec.tower_hidden, (std::vector<int64_t>{8, 4}));
  EXPECT_DOUBLE_EQ(spec.gate.temperature, 2.0);
  EXPECT_EQ(spec.activation, models::Activation::kGelu);
  EXPECT_DOUBLE_EQ(spec.expert_dropout, 0.2);
  EXPECT_EQ(spec.shared_dim, 24);
  EXPECT_DOUBLE_EQ(spec.shared_dropout, 0.1);
}

TEST(ModelFactory, ModelSpecWithoutSharedLayerAndEachActivation) {
  experiments::Config config;  // shared_layer.dim 0: no shared layer
  const auto heads = head_specs(config, select_tasks(config, factory_manifest()));
  EXPECT_EQ(model_spec(config, 12, heads).shared_dim, 0);
  const std::vector<std::pair<experiments::Activation, models::Activation>> pairs = {
      {experiments::Activation::kRelu, models::Activation::kRelu},
      {experiments::Activation::kGelu, models::Activation::kGelu},
      {experiments::Activation::kSilu, models::Activation::kSilu},
      {experiments::Activation::kTanh, models::Activation::kTanh}};
  for (const auto& [from, to] : pairs) {
    config.model.activation = from;
    EXPECT_EQ(model_spec(config, 12, heads).activation, to) << experiments::to_string(from);
  }
}

TEST(ModelFactory, ModelSpecCarriesTypeGatingPleAndLossWeighting) {
  experiments::Config config;
  config.model.type = experiments::ModelType::kPle;
  config.model.tower_dropout = 0.3;
  config.model.gate.top_k = 2;
  config.model.gate.noisy = true;
  config.model.gate.load_balance_weight = 0.01;
  config.model.standardize_features = true;
  config.model.bottom_hidden = {40, 20};
  config.model.ple.levels = 2;
  config.model.ple.shared_experts = 3;
  config.model.ple.task_experts = 2;
  config.model.loss_weighting = experiments::LossWeighting::kUncertainty;
  const auto spec = model_spec(config, 12, head_specs(config, select_tasks(config, factory_manifest())));
  EXPECT_EQ(spec.type, models::ModelType::kPle);
  EXPECT_DOUBLE_EQ(spec.tower_dropout, 0.3);
  EXPECT_EQ(spec.gate.top_k, 2);
  EXPECT_TRUE(spec.gate.noisy);
  EXPECT_DOUBLE_EQ(spec.gate.load_balance_weight, 0.01);
  EXPECT_TRUE(spec.standardize_features);
  EXPECT_EQ(spec.bottom_hidden, (std::vector<int64_t>{40, 20}));
  EXPECT_EQ(spec.ple.levels, 2);
  EXPECT_EQ(spec.ple.shared_experts, 3);
  EXPECT_EQ(spec.ple.task_experts, 2);
  EXPECT_EQ(spec.loss_weighting, models::LossWeighting::kUncertainty);

  const std::vector<std::pair<experiments::ModelType, models::ModelType>> types = {
      {experiments::ModelType::kMmoe, models::ModelType::kMmoe},
      {experiments::ModelType::kOmoe, models::ModelType::kOmoe},
      {experiments::ModelType::kSharedBottom, models::ModelType::kSharedBottom},
      {experiments::ModelType::kSingleTask, models::ModelType::kSingleTask},
      {experiments::ModelType::kPle, models::ModelType::kPle}};
  for (const auto& [from, to] : types) {
    config.model.type = from;
    EXPECT_EQ(model_spec(config, 12, {}).type, to) << experiments::to_string(from);
  }
}

TEST(ModelFactory, ParamBudgetSizesTheBaselineToAtMostTheBudget) {
  experiments::Config mmoe_config;
  const auto heads = head_specs(mmoe_config, select_tasks(mmoe_config, factory_manifest()));
  const int64_t budget = models::count_parameters(model_spec(mmoe_config, 12, heads));
  experiments::Config config;
  config.model.type = experiments::ModelType::kSharedBottom;
  config.model.param_budget = budget;
  const auto spec = model_spec(config, 12, heads);
  EXPECT_FALSE(spec.bottom_hidden.empty());
  const int64_t count = models::count_parameters(spec);
  EXPECT_LE(count, budget);
  EXPECT_GT(count, budget * 9 / 10);

  config.model.param_budget = 10;  // below even all-ones widths
  const auto message = factory_error_message([&] { model_spec(config, 12, heads); });
  EXPECT_EQ(message.rfind("model.param_budget: ", 0), 0u) << message;
}

TEST(ModelFactory, TaskOptionsBelongToOneTaskType) {
  const auto refused = [](const std::string& task, auto set) {
    experiments::Config config;
    set(config.tasks[task]);
    return factory_error_message([&] { select_tasks(config, factory_manifest()); });
  };
  using Mode = experiments::LabelWeights::Mode;
  EXPECT_EQ(refused("habitat", [](auto& t) { t.class_weights.mode = Mode::kBalanced; }),
            "tasks.habitat.class_weights: only multiclass tasks take class_weights; 'habitat' is multilabel");
  EXPECT_EQ(refused("family", [](auto& t) { t.pos_weight.mode = Mode::kBalanced; }),
            "tasks.family.pos_weight: only multilabel tasks take pos_weight; 'family' is multiclass");
  EXPECT_EQ(refused("family", [](auto& t) { t.loss = experiments::RegressionLossType::kHuber; }),
            "tasks.family.loss: only regression tasks take loss; 'family' is multiclass");
  EXPECT_EQ(refused("habitat", [](auto& t) { t.standardize_target = true; }),
            "tasks.habitat.standardize_target: only regression tasks take standardize_target; 'habitat' is multilabel");
  EXPECT_EQ(refused("trophic_level", [](auto& t) { t.huber_delta = 2.0; }),
            "tasks.trophic_level.huber_delta: only used with loss: huber (the loss of 'trophic_level' is mse)");
}

TEST(ModelFactory, ExplicitLabelWeightsNeedOnePerClass) {
  using Mode = experiments::LabelWeights::Mode;
  experiments::Config config;
  config.tasks["family"].class_weights = {Mode::kExplicit, {1.0, 2.0, 3.0}};
  config.tasks["habitat"].pos_weight = {Mode::kExplicit, {0.5, 4.0}};
  config.tasks["trophic_level"].loss = experiments::RegressionLossType::kHuber;
  config.tasks["trophic_level"].huber_delta = 0.25;
  const auto heads = head_specs(config, select_tasks(config, factory_manifest()));
  EXPECT_EQ(heads[0].class_weights, (std::vector<double>{1.0, 2.0, 3.0}));
  EXPECT_EQ(heads[1].pos_weight, (std::vector<double>{0.5, 4.0}));
  EXPECT_EQ(heads[2].regression_loss, models::RegressionLoss::kHuber);
  EXPECT_DOUBLE_EQ(heads[2].huber_delta, 0.25);

  config.tasks["family"].class_weights = {Mode::kExplicit, {1.0, 2.0}};
  const auto message = factory_error_message([&] { head_specs(config, select_tasks(config, factory_manifest())); });
  EXPECT_EQ(message,
            "tasks.family.class_weights: 2 weights for 3 classes of 'family'; give one per class in dataset "
            "order, or 'balanced'");
  // 'balanced' is filled from the training split later (training_statistics), not here.
  config.tasks["family"].class_weights = {Mode::kBalanced, {}};
  EXPECT_TRUE(head_specs(config, select_tasks(config, factory_manifest()))[0].class_weights.empty());
}

}  // namespace
}  // namespace mmoe::trainer
