#pragma once
// The YAML config of `mmoe cache CONFIG` (docs/cache.md), read strictly: unknown keys are
// ConfigErrors naming the nearest valid key, as the training config's are.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "data/images/backbone_runner.h"
#include "data/images/preprocess_options.h"
#include "data/shard_format.h"

namespace mmoe::data {

struct CacheConfig {
  std::filesystem::path manifest;  // image manifest CSV (data/images/image_manifest.h)
  std::filesystem::path backbone;  // TorchScript file
  std::filesystem::path out_dir;   // dataset directory: shards, dataset.yaml, cache_report.tsv
  std::string name;                // dataset name; empty: out_dir's name
  std::map<std::string, TaskType> tasks;  // declared task types (others inferred)
  PreprocessOptions preprocess;
  Pooling pooling = Pooling::kCls;
  BackboneDtype dtype = BackboneDtype::kFloat32;
  int64_t views = 0;              // augmented views per training image (0: the plain view only)
  int64_t batch_size = 64;        // images per backbone call
  int64_t rows_per_shard = 10000;  // at most; a shard holds whole images (all their views)
  int64_t threads = 4;            // decode + preprocess workers
  uint64_t seed = 0;              // augmentation draws: (seed, image, view)
  ShardWriteOptions write;        // feature_dtype float32 / float16
};

// Reads and validates `path`. Relative paths in it are relative to the config file's directory.
// ConfigError ("<file>: <key>: ...") for unknown keys, wrong types and values out of range.
CacheConfig load_cache_config(const std::filesystem::path& path);

}  // namespace mmoe::data
