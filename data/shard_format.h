#pragma once
// Feature shard format v1 (docs/shard-format.md): one HDF5 file per shard.
//   /features              float32 or float16 [N, D], chunked by rows (~1 MiB chunks)
//   /sample_id             int64 [N]
//   /view                  int32 [N] augmentation view (0 = the plain view)
//   /labels/<task>         multiclass int32 [N] (-1 = missing)
//                          multilabel uint8 [N, C] with /label_masks/<task> uint8 [N] (0 = missing)
//                          regression float32 [N, K] (NaN = missing)
//   root attributes        format_version, feature_dim, feature_dtype, backbone, weights_hash,
//                          preprocessing, pooling, created_at
//   /labels/<task> attrs   task_type, output_dim
#include <cstdint>
#include <map>
#include <string>

#include <torch/torch.h>

#include "data/task_schema.h"

namespace mmoe::data {

inline constexpr int64_t kShardFormatVersion = 1;

// How write_shard stores a shard's features (labels are always stored as the format says).
struct ShardWriteOptions {
  bool float16_features = false;  // /features as IEEE half (h5py's float16); default float32
  int gzip_level = 0;             // 0: no compression; 1..9: shuffle + deflate at that level
};

// "float32" or "float16": the feature_dtype written to the shard and the manifest.
inline const char* feature_dtype_name(const ShardWriteOptions& options) {
  return options.float16_features ? "float16" : "float32";
}

// The feature values a reader gets back from a shard written with `options` (float16 rounds).
inline torch::Tensor stored_feature_values(const torch::Tensor& features, const ShardWriteOptions& options) {
  return options.float16_features ? features.to(torch::kHalf).to(torch::kFloat32) : features.to(torch::kFloat32);
}

// What reading does with a row whose features hold NaN or Inf.
enum class NonFiniteRows { kError, kSkip };

// Provenance written into every shard.
struct ShardProvenance {
  std::string backbone = "none";
  std::string weights_hash;
  std::string preprocessing;
  std::string pooling;
};

// One shard in memory; labels use the in-memory encoding of core/task_type.h.
struct ShardTensors {
  torch::Tensor features;   // float32 [N, D]
  torch::Tensor sample_id;  // int64 [N]
  torch::Tensor view;       // int32 [N]
  std::map<std::string, torch::Tensor> labels;  // task name -> label tensor
  int64_t skipped_rows = 0;  // rows left out on reading (NonFiniteRows::kSkip); 0 when written
};

}  // namespace mmoe::data
