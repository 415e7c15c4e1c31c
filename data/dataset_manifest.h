#pragma once
// dataset.yaml: the description of a feature dataset (docs/shard-format.md): feature dimension,
// tasks with their class names, the shards and the split each belongs to, and label statistics.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "data/task_schema.h"

namespace mmoe::data {

inline constexpr const char* kManifestFileName = "dataset.yaml";
inline constexpr int64_t kManifestFormatVersion = 1;

struct ShardEntry {
  std::string file;   // relative to the dataset directory
  std::string split;  // e.g. train, val, test; empty when the shard's rows are given under `splits:`
  int64_t rows = 0;
  std::string sha256;
  int64_t bytes = 0;  // file size in bytes; 0 = not recorded (load_split checks it when recorded)
};

// Rows [begin, end) of a listed shard that belong to a split (the optional `splits:` block of
// dataset.yaml: splits given as row ranges instead of whole shards).
struct SplitRowRange {
  std::string file;   // a file listed under `shards`
  int64_t begin = 0;  // first shard row, >= 0
  int64_t end = 0;    // one past the last; begin < end <= the shard's rows
};

// One piece of a split: rows [begin, end) of a shard, whole or a range.
struct SplitPart {
  const ShardEntry* shard = nullptr;
  int64_t begin = 0;
  int64_t end = 0;
  int64_t rows() const { return end - begin; }
};

// Label statistics of one task over the train split.
struct TaskLabelStats {
  int64_t rows = 0;
  int64_t labelled = 0;
  std::vector<int64_t> class_counts;  // classification tasks: rows (or positives) per class
};

// How a synthetic dataset was generated (optional `synthetic:` block of dataset.yaml). Written by
// `mmoe synth --kind mmoe-paper`; a manifest without it (any other writer) reads as std::nullopt.
struct SyntheticInfo {
  std::string kind;   // generator, e.g. "mmoe-paper"
  uint64_t seed = 0;  // the same seed and settings give the same data
  std::optional<double> correlation;                 // requested task correlation p
  std::optional<double> measured_label_correlation;  // Pearson r of the two tasks' labels, all rows
};

// Per-feature statistics of one split (optional `feature_stats:` block of dataset.yaml), for
// model.standardize_features without a pass over the features. Written by `mmoe synth` and
// `mmoe data import` for the train split; float64 accumulation, population standard deviation.
struct FeatureStats {
  std::string split;         // the split they were computed over, e.g. "train"
  int64_t rows = 0;          // rows of that split
  std::vector<double> mean;  // [feature_dim]
  std::vector<double> std;   // [feature_dim], each >= 0
};

struct DatasetManifest {
  int64_t format_version = kManifestFormatVersion;
  std::string name;
  std::string description;
  int64_t feature_dim = 0;
  std::string feature_dtype = "float32";
  std::vector<TaskSchema> tasks;
  std::vector<ShardEntry> shards;
  std::map<std::string, TaskLabelStats> label_stats;  // by task name
  std::map<std::string, std::string> attributes;      // free provenance, e.g. generator settings
  std::optional<SyntheticInfo> synthetic;             // set for generated datasets that record it
  std::optional<FeatureStats> feature_stats;          // set when the writer computed them
  // `splits:` block: per split, its row ranges (no two overlap), in file order.
  std::vector<std::pair<std::string, std::vector<SplitRowRange>>> split_ranges;

  std::vector<std::string> split_names() const;  // shards' splits, then `splits:` ones, in order
  int64_t rows_in_split(const std::string& split) const;
  // A split's rows in order: the whole shards whose `split` it is, in manifest order, then its
  // ranges. Split row numbers count through the parts in this order. Pointers into `shards`.
  std::vector<SplitPart> split_parts(const std::string& split) const;
  const TaskSchema* find_task(const std::string& name) const;
};

// Reads and validates <dir>/dataset.yaml; DataError naming the file and key otherwise.
DatasetManifest load_manifest(const std::filesystem::path& dir);
// Writes <dir>/dataset.yaml atomically (temporary file, then rename).
void save_manifest(const std::filesystem::path& dir, const DatasetManifest& manifest);

}  // namespace mmoe::data
