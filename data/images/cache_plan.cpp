#include "data/images/cache_plan.h"

#include <algorithm>

namespace mmoe::data {

std::string CacheUnit::file() const {
  std::string number = std::to_string(index);
  if (number.size() < 5) number.insert(0, 5 - number.size(), '0');
  return split + "-" + number + ".h5";
}

std::vector<CacheUnit> plan_cache_units(const ImageManifest& manifest, const CacheConfig& config) {
  std::vector<CacheUnit> units;
  for (const auto& split : manifest.split_names) {
    const bool augmented = split == kTrainSplit && config.views > 0;
    const int64_t views = augmented ? config.views : 1;
    const int64_t images_per_unit = std::max<int64_t>(1, config.rows_per_shard / views);
    CacheUnit unit{split, 0, {}, augmented ? 1 : 0, views};
    for (size_t row = 0; row < manifest.splits.size(); ++row) {
      if (manifest.splits[row] != split) continue;
      unit.rows.push_back(static_cast<int64_t>(row));
      if (static_cast<int64_t>(unit.rows.size()) == images_per_unit) {
        units.push_back(unit);
        unit.rows.clear();
        ++unit.index;
      }
    }
    if (!unit.rows.empty()) units.push_back(unit);
  }
  return units;
}

bool unit_belongs_to(int64_t unit_number, int64_t rank, int64_t world_size) {
  return unit_number % world_size == rank;
}

}  // namespace mmoe::data
