#include "data/split_data.h"

#include "data/data_error.h"
#include "data/shard_reader.h"

namespace mmoe::data {
namespace {

// The cheap guard on every load: a shard whose size differs from the one dataset.yaml records
// was truncated, appended to or replaced. Checksums are only compared by `mmoe data verify`.
void check_recorded_size(const std::filesystem::path& dir, const ShardEntry& entry) {
  const auto path = dir / entry.file;
  const int64_t recorded_bytes = entry.bytes;
  if (recorded_bytes <= 0) return;
  std::error_code error;
  const auto actual = std::filesystem::file_size(path, error);
  if (error) return;  // missing or unreadable: read_shard names the problem
  if (static_cast<int64_t>(actual) != recorded_bytes) {
    throw DataError(path.string() + ": is " + std::to_string(actual) + " bytes but dataset.yaml records " +
                    std::to_string(recorded_bytes) + " (truncated or replaced?); run 'mmoe data verify " +
                    dir.string() + "'");
  }
}

// A row range is read as a hyperslab, which would not notice rows added to or cut from the
// shard's end; the header says how many it holds.
void check_recorded_rows(const std::filesystem::path& dir, const ShardEntry& entry) {
  const auto header = read_shard_header(dir / entry.file);
  if (header.rows != entry.rows) {
    throw DataError((dir / entry.file).string() + ": holds " + std::to_string(header.rows) +
                    " rows but dataset.yaml says " + std::to_string(entry.rows) + "; re-create the dataset");
  }
}

}  // namespace

SplitData load_split(const std::filesystem::path& dir, const DatasetManifest& manifest,
                     const std::string& split, const std::vector<TaskSchema>& tasks, NonFiniteRows non_finite) {
  std::vector<torch::Tensor> features;
  int64_t skipped_rows = 0;
  std::vector<std::vector<torch::Tensor>> labels(tasks.size());
  for (const auto& part : manifest.split_parts(split)) {
    const ShardEntry& entry = *part.shard;
    check_recorded_size(dir, entry);
    const bool whole = part.begin == 0 && part.end == entry.rows;
    if (!whole) check_recorded_rows(dir, entry);  // a range read sees only its own rows
    const auto shard = read_shard(dir / entry.file, tasks, manifest.feature_dim, non_finite,
                                  ShardRows{part.begin, whole ? -1 : part.end});
    skipped_rows += shard.skipped_rows;
    if (shard.features.size(0) + shard.skipped_rows != part.rows()) {
      throw DataError((dir / entry.file).string() + ": holds " +
                      std::to_string(shard.features.size(0) + shard.skipped_rows) +
                      " rows but dataset.yaml says " + std::to_string(entry.rows) + "; re-create the dataset");
    }
    features.push_back(shard.features);
    for (size_t t = 0; t < tasks.size(); ++t) labels[t].push_back(shard.labels.at(tasks[t].name));
  }
  const auto known = manifest.split_names();
  if (features.empty()) {
    std::string list;
    for (const auto& name : known) list += (list.empty() ? "" : ", ") + name;
    throw DataError((dir / kManifestFileName).string() + ": split '" + split + "' has no shards (splits: " +
                    (list.empty() ? "none" : list) + ")");
  }
  SplitData data;
  data.split = split;
  data.features = torch::cat(features);
  data.skipped_rows = skipped_rows;
  if (data.features.size(0) == 0) {
    throw DataError((dir / kManifestFileName).string() + ": split '" + split + "' is empty (0 rows" +
                    (skipped_rows > 0 ? ", after skipping " + std::to_string(skipped_rows) + " with NaN or Inf features"
                                      : std::string()) +
                    ")");
  }
  for (auto& parts : labels) data.labels.push_back(torch::cat(parts));
  return data;
}

SplitSource split_source(const std::filesystem::path& dir, const DatasetManifest& manifest, const std::string& split,
                         const std::vector<TaskSchema>& tasks) {
  SplitSource source;
  source.split = split;
  source.tasks = tasks;
  source.feature_dim = manifest.feature_dim;
  int64_t first_row = 0;
  for (const auto& part : manifest.split_parts(split)) {
    check_recorded_size(dir, *part.shard);
    source.shards.push_back(ShardSpan{dir / part.shard->file, first_row, part.rows(), part.begin, part.shard->rows});
    first_row += part.rows();
  }
  if (source.shards.empty()) {
    std::string list;
    for (const auto& name : manifest.split_names()) list += (list.empty() ? "" : ", ") + name;
    throw DataError((dir / kManifestFileName).string() + ": split '" + split + "' has no shards (splits: " +
                    (list.empty() ? "none" : list) + ")");
  }
  if (first_row == 0) throw DataError((dir / kManifestFileName).string() + ": split '" + split + "' is empty (0 rows)");
  return source;
}

SplitData load_split_labels(const SplitSource& source) {
  std::vector<std::vector<torch::Tensor>> labels(source.tasks.size());
  for (const auto& shard : source.shards) {
    const auto header = read_shard_header(shard.path);
    if (header.rows != shard.shard_rows) {
      throw DataError(shard.path.string() + ": holds " + std::to_string(header.rows) + " rows but dataset.yaml says " +
                      std::to_string(shard.shard_rows) + "; re-create the dataset");
    }
    for (size_t t = 0; t < source.tasks.size(); ++t) {
      const auto all = read_task_labels(shard.path, source.tasks[t], header.rows);
      labels[t].push_back(all.narrow(0, shard.shard_begin, shard.rows));
    }
  }
  SplitData data;
  data.split = source.split;
  for (auto& parts : labels) data.labels.push_back(torch::cat(parts));
  return data;
}

}  // namespace mmoe::data
