#pragma once
// Writes a shard atomically: to "<path>.partial" first, then renamed into place, so a shard that
// exists is complete. Returns the file's SHA-256 for the dataset manifest. `options` choose the
// feature dtype and compression; DataError when gzip is asked for and HDF5 lacks deflate, or the
// level is outside 0..9.
#include <filesystem>
#include <string>
#include <vector>

#include "data/shard_format.h"

namespace mmoe::data {

std::string write_shard(const std::filesystem::path& path, const ShardTensors& shard,
                        const std::vector<TaskSchema>& tasks, const ShardProvenance& provenance,
                        const ShardWriteOptions& options = {});

}  // namespace mmoe::data
