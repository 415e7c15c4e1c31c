#pragma once
// `mmoe synth --kind attributes`: data that behaves like backbone features of labelled product
// images. Latent factors z ~ N(0, I_L) are mapped to D-dim features with a random projection, a
// nonlinearity and noise; tasks read overlapping subsets of the factors, so some tasks share
// structure and others do not:
//   category  multiclass, 6 imbalanced classes      from z[0:4]
//   color     multiclass, 4 classes                 from z[3:7]   (shares z[3] with category)
//   style     multilabel, 5 labels                  from z[6:10]
//   price     regression, 1 output                  from z[0], z[8], z[10]
// A fraction of each task's labels is missing. Deterministic for a given seed.
#include <cstdint>
#include <filesystem>

#include "data/dataset_manifest.h"
#include "data/shard_format.h"

namespace mmoe::data {

struct SynthAttributesOptions {
  int64_t rows = 10000;           // total over train / val / test (70% / 15% / 15%)
  int64_t feature_dim = 64;       // D
  int64_t latent_dim = 12;        // L (>= 11)
  double noise = 0.3;             // feature noise standard deviation
  double missing_fraction = 0.2;  // per task, in [0, 1)
  uint64_t seed = 0;
  int64_t rows_per_shard = 100000;
  ShardWriteOptions write;  // feature dtype and compression of the shards
};

// Writes shards and dataset.yaml into `out_dir` (created if missing; existing dataset files in
// it are replaced). Returns the manifest written.
DatasetManifest write_synth_attributes(const std::filesystem::path& out_dir, const SynthAttributesOptions& options);

}  // namespace mmoe::data
