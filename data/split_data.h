#pragma once
// A whole split held in host memory (data.cache: host), with labels in task order.
#include <filesystem>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "data/dataset_manifest.h"
#include "data/shard_format.h"

namespace mmoe::data {

struct SplitData {
  std::string split;
  torch::Tensor features;             // float32 [N, D]
  std::vector<torch::Tensor> labels;  // per task, encoding of core/task_type.h, [N, ...]
  int64_t skipped_rows = 0;           // rows left out for NaN / Inf features (NonFiniteRows::kSkip)
  int64_t rows() const { return features.defined() ? features.size(0) : 0; }
};

// Reads every shard of `split` for `tasks` (a subset of manifest.tasks, in the model's order).
// DataError when the split has no shards or no rows (also after skipping), or a shard is bad (see
// shard_reader.h; `non_finite` as there).
SplitData load_split(const std::filesystem::path& dir, const DatasetManifest& manifest,
                     const std::string& split, const std::vector<TaskSchema>& tasks,
                     NonFiniteRows non_finite = NonFiniteRows::kError);

// Where a split's rows are, without reading them (data.cache none): its parts in the order of
// DatasetManifest::split_parts, each with the split row it starts at. Rows are numbered as load_split concatenates them.
struct ShardSpan {
  std::filesystem::path path;
  int64_t first_row = 0;    // split row of the span's first row
  int64_t rows = 0;         // rows of the shard in this split
  int64_t shard_begin = 0;  // shard row of the span's first row (0 unless the split is a row range)
  int64_t shard_rows = 0;   // the shard's rows as dataset.yaml says; the loader checks the file against it
};

struct SplitSource {
  std::string split;
  std::vector<ShardSpan> shards;
  std::vector<TaskSchema> tasks;  // in the model's order
  int64_t feature_dim = 0;
  int64_t rows() const { return shards.empty() ? 0 : shards.back().first_row + shards.back().rows; }
};

// DataError as load_split for a split without shards or rows, or a shard whose size differs from
// the recorded `bytes`; the shards themselves are opened when read.
SplitSource split_source(const std::filesystem::path& dir, const DatasetManifest& manifest, const std::string& split,
                         const std::vector<TaskSchema>& tasks);

// The labels of every shard of the split (no features: SplitData::features stays undefined), with
// read_task_labels' checks; what the training statistics need when data.cache is none.
SplitData load_split_labels(const SplitSource& source);

}  // namespace mmoe::data
