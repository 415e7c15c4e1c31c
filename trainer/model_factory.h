#pragma once
// Turns the typed config and the dataset's task list into the model's options.
#include <vector>

#include "data/dataset_manifest.h"
#include "experiments/config.h"
#include "models/model_spec.h"

namespace mmoe::trainer {

// The tasks to train, in dataset order: every dataset task when config.tasks is empty,
// otherwise exactly the named ones. TrainError naming the task (and the dataset's tasks) when a
// configured task is not in the dataset, or label_smoothing is set on a non-multiclass task.
std::vector<data::TaskSchema> select_tasks(const experiments::Config& config, const data::DatasetManifest& manifest);

std::vector<models::TaskHeadSpec> head_specs(const experiments::Config& config,
                                             const std::vector<data::TaskSchema>& tasks);

// Everything model.* says, with the parameter budget applied (TrainError naming
// model.param_budget when no network fits it).
models::ModelSpec model_spec(const experiments::Config& config, int64_t input_dim,
                             std::vector<models::TaskHeadSpec> heads);

// The spec of the model `config` trains on its dataset (config.data.dir), without the statistics
// taken from the training split (they change no shape or parameter count): for `mmoe model`.
models::ModelSpec configured_model_spec(const experiments::Config& config);

}  // namespace mmoe::trainer
