#pragma once
// A whole split held in host memory (data.cache: host), with labels in task order.
#include <filesystem>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "data/dataset_manifest.h"

namespace mmoe::data {

struct SplitData {
  std::string split;
  torch::Tensor features;             // float32 [N, D]
  std::vector<torch::Tensor> labels;  // per task, encoding of core/task_type.h, [N, ...]
  int64_t rows() const { return features.defined() ? features.size(0) : 0; }
};

// Reads every shard of `split` for `tasks` (a subset of manifest.tasks, in the model's order).
// DataError when the split has no shards or no rows, or a shard is bad (see shard_reader.h).
SplitData load_split(const std::filesystem::path& dir, const DatasetManifest& manifest,
                     const std::string& split, const std::vector<TaskSchema>& tasks);

}  // namespace mmoe::data
