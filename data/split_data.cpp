#include "data/split_data.h"

#include "data/data_error.h"
#include "data/shard_reader.h"

namespace mmoe::data {

SplitData load_split(const std::filesystem::path& dir, const DatasetManifest& manifest,
                     const std::string& split, const std::vector<TaskSchema>& tasks) {
  std::vector<torch::Tensor> features;
  std::vector<std::vector<torch::Tensor>> labels(tasks.size());
  for (const auto& entry : manifest.shards) {
    if (entry.split != split) continue;
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
