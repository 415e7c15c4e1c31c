#pragma once
// `mmoe data import`: a feature dataset (shards + dataset.yaml, docs/shard-format.md) from a
// features file (.npy or .csv, read whole into memory) and a labels CSV (data/import_labels.h),
// split at random by seed into train / val / test.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "data/dataset_manifest.h"
#include "data/shard_format.h"

namespace mmoe::data {

struct ImportOptions {
  std::filesystem::path features;  // .npy (float32 / float16, C order, 2-D) or .csv (numeric)
  std::filesystem::path labels;    // .csv with a header; columns become tasks
  std::filesystem::path out_dir;   // created; must not hold a dataset.yaml yet
  std::map<std::string, TaskType> declared;  // task types given by --task (others inferred)
  double val_fraction = 0.15;   // of all rows, rounded to the nearest row
  double test_fraction = 0.15;  // of all rows; train gets the rest (at least one row)
  uint64_t seed = 0;            // the random split; same inputs and seed give the same split
  int64_t rows_per_shard = 100000;
  ShardWriteOptions write;  // feature dtype and compression of the shards
  std::string name;  // dataset name; empty: the output directory's name
};

struct ImportResult {
  DatasetManifest manifest;
  std::vector<bool> declared;  // per manifest task: type given by --task (else inferred)
};

// DataError naming the file (and line and column, or row and column) for every bad input:
// missing files, malformed .npy, non-numeric CSV features, row counts that differ between the
// two files, bad labels (see import_labels.h), bad fractions or an existing dataset in out_dir.
ImportResult import_dataset(const ImportOptions& options);

}  // namespace mmoe::data
