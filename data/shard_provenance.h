#pragma once
// Training on shards of different provenance (features of another backbone, preprocessing,
// pooling, views or image manifest) mixes incompatible features silently; check_shard_provenance
// refuses it. Override for a dataset assembled on purpose from several caches: set
//   attributes: {allow_mixed_provenance: "true"}
// in its dataset.yaml (docs/shard-format.md).
#include <filesystem>
#include <string>

#include "data/dataset_manifest.h"

namespace mmoe::data {

inline constexpr const char* kAllowMixedProvenance = "allow_mixed_provenance";

// The provenance of one shard as one line: its backbone, weights_hash, preprocessing and pooling
// root attributes (`mmoe cache` puts views, seed and the manifest's SHA-256 into preprocessing).
// DataError for a missing or non-HDF5 file.
std::string read_shard_provenance(const std::filesystem::path& shard);

// DataError naming the first two shards that differ, unless the manifest's attributes set
// allow_mixed_provenance to "true".
void check_shard_provenance(const std::filesystem::path& dir, const DatasetManifest& manifest);

}  // namespace mmoe::data
