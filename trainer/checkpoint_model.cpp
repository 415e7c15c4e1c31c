#include "trainer/checkpoint_model.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "data/split_data.h"
#include "experiments/config_loader.h"
#include "models/make_model.h"
#include "models/model_spec_text.h"
#include "trainer/train_error.h"

namespace mmoe::trainer {
namespace {

std::string spec_shape_text(const torch::Tensor& t) {
  std::ostringstream out;
  out << t.sizes();
  return out.str();
}

}  // namespace

CheckpointModel load_checkpoint_model(const std::filesystem::path& path, torch::Device device) {
  auto checkpoint = load_checkpoint(path);
  const auto where = checkpoint.info.dir.string();
  CheckpointModel loaded;
  loaded.info = checkpoint.info;
  try {
    loaded.config = experiments::load_config_text(checkpoint.config_yaml, where + "/" + kConfigFile).config;
    loaded.spec = models::model_spec_from_text(checkpoint.model_spec_text);
    loaded.model = models::make_model(loaded.spec);
  } catch (const experiments::ConfigError& e) {
    throw CheckpointError("checkpoint '" + where + "': its config does not load (" + e.what() + ")");
  } catch (const c10::Error& e) {
    throw CheckpointError("checkpoint '" + where + "': its model spec does not build a model (" +
                          e.what_without_backtrace() + ")");
  }
  torch::NoGradGuard no_grad;
  std::map<std::string, torch::Tensor> saved(checkpoint.state.model.begin(), checkpoint.state.model.end());
  const auto restore = [&](const std::string& name, torch::Tensor& tensor) {
    const auto found = saved.find(name);
    if (found == saved.end()) {
      throw CheckpointError("checkpoint '" + where + "' has no tensor '" + name + "' of its model; it is damaged");
    }
    if (!found->second.sizes().equals(tensor.sizes())) {
      throw CheckpointError("checkpoint '" + where + "': tensor '" + name + "' has shape " + spec_shape_text(found->second) +
                            " but its model spec gives " + spec_shape_text(tensor));
    }
    tensor.copy_(found->second);
  };
  for (auto& item : loaded.model->named_parameters(true)) restore(item.key(), item.value());
  for (auto& item : loaded.model->named_buffers(true)) restore(item.key(), item.value());
  loaded.model->to(device);
  loaded.model->eval();
  return loaded;
}

std::vector<data::TaskSchema> tasks_for_model(const data::DatasetManifest& manifest, const std::filesystem::path& dir,
                                              const models::ModelSpec& spec, const std::string& split) {
  const std::string where = "dataset '" + dir.string() + "'";
  if (manifest.feature_dim != spec.input_dim) {
    throw CheckpointError(where + " has feature_dim " + std::to_string(manifest.feature_dim) +
                          " but the checkpoint's model takes " + std::to_string(spec.input_dim) +
                          "; use features from the same backbone");
  }
  std::vector<data::TaskSchema> tasks;
  for (const auto& head : spec.tasks) {
    const auto* task = manifest.find_task(head.name);
    if (task == nullptr) {
      throw CheckpointError(where + " has no task '" + head.name + "', which the checkpoint's model predicts");
    }
    if (task->type != head.type || task->output_dim() != head.output_dim) {
      throw CheckpointError(where + ": task '" + head.name + "' is " + to_string(task->type) + " with " +
                            std::to_string(task->output_dim()) + " outputs, the checkpoint's model has " +
                            to_string(head.type) + " with " + std::to_string(head.output_dim));
    }
    tasks.push_back(*task);
  }
  const auto splits = manifest.split_names();
  if (std::find(splits.begin(), splits.end(), split) == splits.end()) {
    std::string listed;
    for (const auto& s : splits) listed += (listed.empty() ? "" : ", ") + s;
    throw CheckpointError(where + " has no split '" + split + "' (its splits: " + listed + ")");
  }
  return tasks;
}

SplitEvaluation evaluate_checkpoint(CheckpointModel& loaded, const std::filesystem::path& dir, const std::string& split,
                                    torch::Device device) {
  const auto manifest = data::load_manifest(dir);
  const auto tasks = tasks_for_model(manifest, dir, loaded.spec, split);
  const auto data = data::load_split(dir, manifest, split, tasks);
  return evaluate_split(*loaded.model, data, loaded.config.train.eval_batch_size, device);
}

}  // namespace mmoe::trainer
