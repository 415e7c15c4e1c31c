#pragma once
// How `mmoe cache` cuts an image manifest into shards and ranks. Each split's images, in manifest
// order, are cut into units of whole images (rows_per_shard / views per image), one shard file per
// unit: "<split>-<index:05>.h5". Unit u (counting across splits in order) belongs to rank
// u % world_size, so the shard files and their contents do not depend on the number of ranks.
#include <cstdint>
#include <string>
#include <vector>

#include "data/images/cache_config.h"
#include "data/images/image_manifest.h"

namespace mmoe::data {

inline constexpr const char* kTrainSplit = "train";

struct CacheUnit {
  std::string split;
  int64_t index = 0;          // within the split
  std::vector<int64_t> rows;  // manifest rows (images), in order
  // Train with views K > 0: views 1..K (augmented); otherwise the plain view 0 only.
  int64_t first_view = 0;
  int64_t views = 1;         // rows per image
  std::string file() const;  // "<split>-<index:05>.h5"
};

std::vector<CacheUnit> plan_cache_units(const ImageManifest& manifest, const CacheConfig& config);
bool unit_belongs_to(int64_t unit_number, int64_t rank, int64_t world_size);

}  // namespace mmoe::data
