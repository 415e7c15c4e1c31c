#pragma once
// Reads a whole shard into memory, validating it against the tasks the manifest declares.
#include <filesystem>
#include <vector>

#include "data/shard_format.h"

namespace mmoe::data {

// Throws DataError naming the file and dataset when the shard is missing, not HDF5 (truncated
// or corrupt), from a newer format version, of another feature dimension, lacks a task's labels,
// has label arrays of the wrong length, class ids outside [-1, C), or non-finite features.
ShardTensors read_shard(const std::filesystem::path& path, const std::vector<TaskSchema>& tasks,
                        int64_t expected_feature_dim);

}  // namespace mmoe::data
