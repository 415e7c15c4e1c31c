#pragma once
// `mmoe cache`: features of a frozen backbone for every image (and augmented view) of an image
// manifest, written as feature shards plus dataset.yaml (docs/cache.md).
//
// Every rank runs cache_rank() on its units (data/images/cache_plan.h); after a barrier, rank 0
// runs finish_cache(). Resumable: a unit whose shard and "<shard>.done" record exist, whose
// SHA-256 matches the record and whose provenance matches this config is skipped; a unit without
// a record is redone, and a leftover "<shard>.partial" of a killed run is deleted first. A bad
// image (ImageError) is left out of its shard, counted and listed in the report.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "data/dataset_manifest.h"
#include "data/images/cache_config.h"
#include "data/images/image_error.h"
#include "data/images/unit_record.h"

namespace mmoe::data {

inline constexpr const char* kCacheReportFileName = "cache_report.tsv";

struct CacheRankResult {
  int64_t units_written = 0;
  int64_t units_skipped = 0;  // complete from an earlier run
  int64_t images = 0;         // decoded in this run
  int64_t rows = 0;           // feature rows written in this run
  std::vector<BadImage> bad_images;  // of the units written in this run
};

// Called after each unit with (units done by this rank, units this rank has).
using CacheProgress = std::function<void(int64_t done, int64_t total)>;

// DataError / ConfigError for a bad manifest or backbone, or an out_dir holding shards of another
// provenance (another backbone, preprocessing, pooling, views, seed or manifest).
CacheRankResult cache_rank(const CacheConfig& config, int64_t rank, int64_t world_size,
                           const CacheProgress& progress = {});

struct CacheSummary {
  DatasetManifest manifest;
  int64_t images = 0;  // in the manifest
  std::vector<BadImage> bad_images;  // all, from every unit's record, in manifest order
  std::map<ImageErrorKind, int64_t> bad_by_kind;
};

// Rank 0, after every rank's cache_rank returned: reads every unit's record, writes dataset.yaml
// and cache_report.tsv (path, kind, message per bad image). DataError naming the shard when a unit
// has no record (a rank did not finish: rerun mmoe cache).
CacheSummary finish_cache(const CacheConfig& config);

}  // namespace mmoe::data
