#pragma once
// Reads a whole shard into memory, validating it against the tasks the manifest declares.
#include <filesystem>
#include <string>
#include <vector>

#include "data/shard_format.h"

namespace mmoe::data {

// Throws DataError naming the file and dataset when the shard is missing, not HDF5 (truncated
// or corrupt), from a newer format version, of another feature dimension, lacks a task's labels,
// has label arrays of the wrong length, class ids outside [-1, C), or non-finite features.
ShardTensors read_shard(const std::filesystem::path& path, const std::vector<TaskSchema>& tasks,
                        int64_t expected_feature_dim);

// What a shard says about itself without reading any data: its format version and the shape and
// stored type of /features. DataError as read_shard for a missing, non-HDF5 or newer-version
// file, or a /features that is missing or not 2-D.
struct ShardHeader {
  int64_t format_version = 0;
  int64_t rows = 0;
  int64_t feature_dim = 0;
  std::string feature_dtype;  // as stored: "float32", "float16", "float64", "int32", ...
};
ShardHeader read_shard_header(const std::filesystem::path& path);

// Reads and validates the labels of one task as read_shard does (same checks, same in-memory
// encoding), without reading /features; `rows` is the shard's row count (ShardHeader::rows).
torch::Tensor read_task_labels(const std::filesystem::path& path, const TaskSchema& task, int64_t rows);

}  // namespace mmoe::data
