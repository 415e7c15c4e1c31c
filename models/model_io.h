#pragma once
// Saving a trained model to one file and rebuilding it from that file alone.
//
// File format (version kModelFileVersion): a LibTorch archive (torch::serialize, a zip file) with
//   mmoe_format_version  int     kModelFileVersion
//   mmoe_model_spec      string  the ModelSpec as text (models/model_spec_text.h)
//   model                archive the module's parameters and buffers by their registered names
// Files are written to "<path>.partial" and renamed into place, so a crash never leaves a
// half-written model under the final name.
#include <string>

#include <torch/torch.h>

#include "models/model_spec.h"
#include "models/multitask_model.h"

namespace mmoe::models {

inline constexpr int64_t kModelFileVersion = 1;

// Writes `model` (built from `spec`) to `path`; throws c10::Error naming the path on I/O failure
// or when the spec does not describe the model (input size, tasks).
void save_model(const std::string& path, const ModelSpec& spec, MultiTaskModelImpl& model);

struct LoadedModel {
  ModelSpec spec;
  MultiTaskModel model;  // in eval mode, on `device`
};

// Rebuilds the model with make_model(spec) and loads its state. Throws c10::Error naming the path
// when the file is missing, is not a model file, has another format version or does not match
// its spec.
LoadedModel load_model(const std::string& path, torch::Device device = torch::kCPU);

}  // namespace mmoe::models
