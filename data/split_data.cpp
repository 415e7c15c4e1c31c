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

}  // namespace

SplitData load_split(const std::filesystem::path& dir, const DatasetManifest& manifest,
                     const std::string& split, const std::vector<TaskSchema>& tasks) {
  std::vector<torch::Tensor> features;
  std::vector<std::vector<torch::Tensor>> labels(tasks.size());
  for (const auto& entry : manifest.shards) {
    if (entry.split != split) continue;
    check_recorded_size(dir, entry);
    const auto shard = read_shard(dir / entry.file, tasks, manifest.feature_dim);
    if (shard.features.size(0) != entry.rows) {
      throw DataError((dir / entry.file).string() + ": holds " + std::to_string(shard.features.size(0)) +
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
  if (data.features.size(0) == 0) {
    throw DataError((dir / kManifestFileName).string() + ": split '" + split + "' is empty (0 rows)");
  }
  for (auto& parts : labels) data.labels.push_back(torch::cat(parts));
  return data;
}

}  // namespace mmoe::data
