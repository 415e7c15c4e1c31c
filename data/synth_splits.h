#pragma once
// Shared by the `mmoe synth` generators: cuts generated rows into the train / val / test splits
// (70% / 15% / 15%, in row order) and writes each split as shards named <split>-NNNN.h5.
#include <cstdint>
#include <filesystem>
#include <vector>

#include <torch/torch.h>

#include "data/dataset_manifest.h"
#include "data/shard_format.h"

namespace mmoe::data {

// Row ranges [begin, end) of the three splits of `rows` rows: train [0, 70%), val [70%, 85%),
// test [85%, 100%), rounded down.
struct SplitRange {
  std::string split;
  int64_t begin = 0;
  int64_t end = 0;
};
std::vector<SplitRange> synth_split_ranges(int64_t rows);

// Writes `features` [rows, D] and `labels` (one tensor per task of `tasks`, [rows, ...]) into
// out_dir as shards of at most rows_per_shard rows; sample_id is the row index, view 0.
// Returns the manifest entries, in order.
std::vector<ShardEntry> write_synth_shards(const std::filesystem::path& out_dir, const torch::Tensor& features,
                                           const std::vector<torch::Tensor>& labels,
                                           const std::vector<TaskSchema>& tasks, int64_t rows_per_shard,
                                           const ShardWriteOptions& write_options = {});

}  // namespace mmoe::data
