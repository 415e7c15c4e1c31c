#pragma once
// A trained model rebuilt from a checkpoint, and the dataset checks `mmoe eval` and
// `mmoe predict` make before using it on a split.
#include <filesystem>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "data/dataset_manifest.h"
#include "experiments/config.h"
#include "models/model_spec.h"
#include "models/multitask_model.h"
#include "trainer/checkpoint.h"
#include "trainer/evaluator.h"

namespace mmoe::trainer {

struct CheckpointModel {
  CheckpointInfo info;
  experiments::Config config;  // the resolved config stored with the checkpoint
  models::ModelSpec spec;
  models::MultiTaskModel model;  // in eval mode, on the requested device
};

// CheckpointError as load_checkpoint, or naming the tensor whose shape differs from the spec's.
CheckpointModel load_checkpoint_model(const std::filesystem::path& path, torch::Device device = torch::kCPU);

// The dataset's tasks in the model's order. CheckpointError naming the dataset directory when its
// feature dimension differs from the model's, a task of the model is missing or has another
// type or size, or `split` is not one of its splits (the message lists them).
std::vector<data::TaskSchema> tasks_for_model(const data::DatasetManifest& manifest, const std::filesystem::path& dir,
                                              const models::ModelSpec& spec, const std::string& split);

// Loads `split` of the dataset in `dir` (checked with tasks_for_model) and evaluates the model.
SplitEvaluation evaluate_checkpoint(CheckpointModel& loaded, const std::filesystem::path& dir, const std::string& split,
                                    torch::Device device = torch::kCPU);

}  // namespace mmoe::trainer
