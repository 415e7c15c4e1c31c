#include "trainer/model_factory.h"

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

}  // namespace

std::vector<data::TaskSchema> select_tasks(const experiments::Config& config, const data::DatasetManifest& manifest) {
  for (const auto& [name, task_config] : config.tasks) {
    const auto* task = manifest.find_task(name);
    if (task == nullptr) {
      throw TrainError("tasks." + name + ": the dataset has no task '" + name + "' (its tasks: " + task_list(manifest) +
                       ")");
    }
    if (task_config.label_smoothing > 0.0 && task->type != TaskType::kMulticlass) {
      throw TrainError("tasks." + name + ".label_smoothing: only multiclass tasks take label smoothing; '" + name +
                       "' is " + to_string(task->type));
    }
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
      head.loss_weight = found->second.weight;
      head.label_smoothing = found->second.label_smoothing;
    }
    heads.push_back(head);
  }
  return heads;
}

models::ModelSpec model_spec(const experiments::Config& config, int64_t input_dim,
                             std::vector<models::TaskHeadSpec> heads) {
  const auto& model = config.model;
  models::ModelSpec spec;
  spec.type = models::ModelType::kMmoe;
  spec.input_dim = input_dim;
  spec.tasks = std::move(heads);
  spec.num_experts = model.num_experts;
  spec.expert_hidden = model.expert_hidden;
  spec.activation = to_model_activation(model.activation);
  spec.expert_dropout = model.expert_dropout;
  spec.tower_hidden = model.tower_hidden;
  spec.gate.temperature = model.gate_temperature;
  spec.shared_dim = model.shared_layer.dim;
  spec.shared_dropout = model.shared_layer.dropout;
  return spec;
}

}  // namespace mmoe::trainer
