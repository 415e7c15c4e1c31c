#pragma once
// `mmoe data info`: what a feature dataset holds (shards, rows per split, tasks) and its labels
// per split: coverage, class histograms, regression mean and standard deviation. Reads only the
// labels and the shard headers, never the features.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "data/dataset_manifest.h"

namespace mmoe::data {

// Labels of one task over some rows (a split).
struct LabelSummary {
  int64_t rows = 0;
  int64_t labelled = 0;               // multiclass id >= 0; multilabel mask 1; regression all K finite
  std::vector<int64_t> class_counts;  // multiclass: rows per class; multilabel: positives per label
  std::vector<double> mean;           // regression: per output over labelled rows
  std::vector<double> stddev;         // regression: population standard deviation (ddof = 0)
  double coverage() const { return rows > 0 ? static_cast<double>(labelled) / static_cast<double>(rows) : 0.0; }
};

// Summarises labels in the in-memory encoding of core/task_type.h ([N] or [N, C] / [N, K]).
LabelSummary summarize_labels(const TaskSchema& task, const torch::Tensor& labels);

struct ShardInfo {
  std::string file;  // as dataset.yaml names it
  std::string split;  // or the splits, comma-separated, that hold row ranges of it
  int64_t rows = 0;   // as the file holds it
  int64_t bytes = 0;  // file size
};

struct SplitLabels {
  std::string split;
  LabelSummary summary;
};

struct TaskInfo {
  TaskSchema task;
  std::vector<SplitLabels> splits;  // in the manifest's split order
};

struct DatasetInfoReport {
  std::filesystem::path dir;
  std::string name;
  int64_t feature_dim = 0;
  std::string feature_dtype;
  std::vector<ShardInfo> shards;
  std::vector<std::pair<std::string, int64_t>> split_rows;  // split -> rows, in manifest order
  std::vector<TaskInfo> tasks;
  int64_t total_bytes() const;
};

// Reads <dir>/dataset.yaml and the labels of every shard. DataError (naming file and dataset)
// when a shard is missing or unreadable; `mmoe data verify` reports every problem instead.
DatasetInfoReport dataset_info(const std::filesystem::path& dir);

}  // namespace mmoe::data
