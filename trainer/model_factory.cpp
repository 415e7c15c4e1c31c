#include "trainer/model_factory.h"

#include "models/param_budget.h"
#include "trainer/train_error.h"

namespace mmoe::trainer {
namespace {

models::Activation to_model_activation(experiments::Activation activation) {
  switch (activation) {
    case experiments::Activation::kRelu: return models::Activation::kRelu;
    case experiments::Activation::kGelu: return models::Activation::kGelu;
    case experiments::Activation::kSilu: return models::Activation::kSilu;
    case experiments::Activation::kTanh: return models::Activation::kTanh;
  }
  return models::Activation::kRelu;
}

std::string task_list(const data::DatasetManifest& manifest) {
  std::string names;
  for (const auto& task : manifest.tasks) names += (names.empty() ? "" : ", ") + task.name;
  return names;
}

// Options that only one task type takes must not be set on another; the message names the key.
void check_task_options(const std::string& name, const experiments::TaskConfig& config, const data::TaskSchema& task) {
  using Mode = experiments::LabelWeights::Mode;
  const auto refuse = [&](const std::string& key, TaskType wanted) {
    throw TrainError("tasks." + name + "." + key + ": only " + to_string(wanted) + " tasks take " + key + "; '" +
                     name + "' is " + to_string(task.type));
  };
  if (config.label_smoothing > 0.0 && task.type != TaskType::kMulticlass) refuse("label_smoothing", TaskType::kMulticlass);
  if (config.class_weights.mode != Mode::kNone && task.type != TaskType::kMulticlass) {
    refuse("class_weights", TaskType::kMulticlass);
  }
  if (config.pos_weight.mode != Mode::kNone && task.type != TaskType::kMultilabel) {
    refuse("pos_weight", TaskType::kMultilabel);
  }
  if (config.loss != experiments::RegressionLossType::kMse && task.type != TaskType::kRegression) {
    refuse("loss", TaskType::kRegression);
  }
  if (config.standardize_target && task.type != TaskType::kRegression) refuse("standardize_target", TaskType::kRegression);
  if (config.threshold != 0.5 && task.type != TaskType::kMultilabel) refuse("threshold", TaskType::kMultilabel);
  if (config.huber_delta != 1.0 && config.loss != experiments::RegressionLossType::kHuber) {
    throw TrainError("tasks." + name + ".huber_delta: only used with loss: huber (the loss of '" + name + "' is " +
                     experiments::to_string(config.loss) + ")");
  }
}

// An explicit per-class list must have one weight per class of the task.
std::vector<double> explicit_weights(const experiments::LabelWeights& weights, const data::TaskSchema& task,
                                     const std::string& path) {
  if (weights.mode != experiments::LabelWeights::Mode::kExplicit) return {};
  if (static_cast<int64_t>(weights.values.size()) != task.output_dim()) {
    throw TrainError(path + ": " + std::to_string(weights.values.size()) + " weights for " +
                     std::to_string(task.output_dim()) + " classes of '" + task.name +
                     "'; give one per class in dataset order, or 'balanced'");
  }
  return weights.values;
}

models::ModelType to_model_type(experiments::ModelType type) {
  switch (type) {
    case experiments::ModelType::kMmoe: return models::ModelType::kMmoe;
    case experiments::ModelType::kOmoe: return models::ModelType::kOmoe;
    case experiments::ModelType::kSharedBottom: return models::ModelType::kSharedBottom;
    case experiments::ModelType::kSingleTask: return models::ModelType::kSingleTask;
    case experiments::ModelType::kPle: return models::ModelType::kPle;
  }
  return models::ModelType::kMmoe;
}

}  // namespace

std::vector<data::TaskSchema> select_tasks(const experiments::Config& config, const data::DatasetManifest& manifest) {
  for (const auto& [name, task_config] : config.tasks) {
    const auto* task = manifest.find_task(name);
    if (task == nullptr) {
      throw TrainError("tasks." + name + ": the dataset has no task '" + name + "' (its tasks: " + task_list(manifest) +
                       ")");
    }
    check_task_options(name, task_config, *task);
  }
  std::vector<data::TaskSchema> selected;
  for (const auto& task : manifest.tasks) {
    if (config.tasks.empty() || config.tasks.count(task.name) > 0) selected.push_back(task);
  }
  return selected;
}

std::vector<models::TaskHeadSpec> head_specs(const experiments::Config& config,
                                             const std::vector<data::TaskSchema>& tasks) {
  std::vector<models::TaskHeadSpec> heads;
  for (const auto& task : tasks) {
    models::TaskHeadSpec head;
    head.name = task.name;
    head.type = task.type;
    head.output_dim = task.output_dim();
    const auto found = config.tasks.find(task.name);
    if (found != config.tasks.end()) {
      const auto& task_config = found->second;
      const std::string path = "tasks." + task.name;
      head.loss_weight = task_config.weight;
      head.label_smoothing = task_config.label_smoothing;
      head.class_weights = explicit_weights(task_config.class_weights, task, path + ".class_weights");
      head.pos_weight = explicit_weights(task_config.pos_weight, task, path + ".pos_weight");
      head.regression_loss = task_config.loss == experiments::RegressionLossType::kHuber ? models::RegressionLoss::kHuber
                                                                                        : models::RegressionLoss::kMse;
      head.huber_delta = task_config.huber_delta;
    }
    heads.push_back(head);
  }
  return heads;
}

models::ModelSpec model_spec(const experiments::Config& config, int64_t input_dim,
                             std::vector<models::TaskHeadSpec> heads) {
  const auto& model = config.model;
  models::ModelSpec spec;
  spec.type = to_model_type(model.type);
  spec.input_dim = input_dim;
  spec.tasks = std::move(heads);
  spec.num_experts = model.num_experts;
  spec.expert_hidden = model.expert_hidden;
  spec.activation = to_model_activation(model.activation);
  spec.expert_dropout = model.expert_dropout;
  spec.tower_hidden = model.tower_hidden;
  spec.tower_dropout = model.tower_dropout;
  spec.gate.temperature = model.gate.temperature;
  spec.gate.top_k = model.gate.top_k;
  spec.gate.noisy = model.gate.noisy;
  spec.gate.load_balance_weight = model.gate.load_balance_weight;
  spec.standardize_features = model.standardize_features;
  spec.shared_dim = model.shared_layer.dim;
  spec.shared_dropout = model.shared_layer.dropout;
  spec.bottom_hidden = model.bottom_hidden;
  spec.ple.levels = model.ple.levels;
  spec.ple.shared_experts = model.ple.shared_experts;
  spec.ple.task_experts = model.ple.task_experts;
  spec.loss_weighting = model.loss_weighting == experiments::LossWeighting::kUncertainty
                            ? models::LossWeighting::kUncertainty
                            : models::LossWeighting::kFixed;
  if (model.param_budget > 0) {
    try {
      spec = models::fit_to_parameter_budget(std::move(spec), model.param_budget);
    } catch (const c10::Error& e) {
      throw TrainError("model.param_budget: " + std::string(e.what_without_backtrace()));
    }
  }
  return spec;
}

models::ModelSpec configured_model_spec(const experiments::Config& config) {
  const auto manifest = data::load_manifest(config.data.dir);
  return model_spec(config, manifest.feature_dim, head_specs(config, select_tasks(config, manifest)));
}

}  // namespace mmoe::trainer
