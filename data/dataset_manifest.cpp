#include "data/dataset_manifest.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>

#include <yaml-cpp/yaml.h>

#include "data/data_error.h"
#include "data/split_ranges.h"

namespace mmoe::data {
namespace {

template <typename T>
T read_key(const YAML::Node& node, const std::string& key, const std::string& where) {
  const YAML::Node value = node[key];
  if (!value) throw DataError(where + ": missing key '" + key + "'");
  try {
    return value.as<T>();
  } catch (const YAML::Exception&) {
    throw DataError(where + ": key '" + key + "' has the wrong type");
  }
}

TaskSchema parse_task(const YAML::Node& node, const std::string& where) {
  TaskSchema task;
  task.name = read_key<std::string>(node, "name", where);
  const auto type_name = read_key<std::string>(node, "type", where);
  const auto type = parse_task_type(type_name);
  if (!type) {
    throw DataError(where + ": task '" + task.name + "' has unknown type '" + type_name +
                    "' (valid: multiclass, multilabel, regression)");
  }
  task.type = *type;
  if (task.type == TaskType::kRegression) {
    task.num_outputs = node["outputs"] ? read_key<int64_t>(node, "outputs", where) : 1;
    if (task.num_outputs < 1) throw DataError(where + ": task '" + task.name + "' needs outputs >= 1");
  } else {
    task.class_names = read_key<std::vector<std::string>>(node, "classes", where);
    const size_t minimum = task.type == TaskType::kMulticlass ? 2 : 1;
    if (task.class_names.size() < minimum) {
      throw DataError(where + ": task '" + task.name + "' needs at least " + std::to_string(minimum) + " classes");
    }
  }
  return task;
}

SyntheticInfo parse_synthetic(const YAML::Node& node, const std::string& where) {
  if (!node.IsMap()) throw DataError(where + ": key 'synthetic' must be a mapping (kind, seed, ...)");
  const std::string block = where + ": synthetic";
  SyntheticInfo info;
  info.kind = read_key<std::string>(node, "kind", block);
  info.seed = read_key<uint64_t>(node, "seed", block);
  if (node["correlation"]) info.correlation = read_key<double>(node, "correlation", block);
  if (node["measured_label_correlation"]) {
    info.measured_label_correlation = read_key<double>(node, "measured_label_correlation", block);
  }
  return info;
}

FeatureStats parse_feature_stats(const YAML::Node& node, int64_t feature_dim, const std::string& where) {
  if (!node.IsMap()) throw DataError(where + ": key 'feature_stats' must be a mapping (split, rows, mean, std)");
  const std::string block = where + ": feature_stats";
  FeatureStats stats;
  stats.split = read_key<std::string>(node, "split", block);
  stats.rows = read_key<int64_t>(node, "rows", block);
  stats.mean = read_key<std::vector<double>>(node, "mean", block);
  stats.std = read_key<std::vector<double>>(node, "std", block);
  const auto expected = static_cast<size_t>(feature_dim);
  if (stats.mean.size() != expected || stats.std.size() != expected) {
    throw DataError(block + ": mean and std need " + std::to_string(feature_dim) + " values (feature_dim), got " +
                    std::to_string(stats.mean.size()) + " and " + std::to_string(stats.std.size()));
  }
  for (size_t d = 0; d < expected; ++d) {
    if (!std::isfinite(stats.mean[d]) || !std::isfinite(stats.std[d]) || stats.std[d] < 0.0) {
      throw DataError(block + ": feature " + std::to_string(d) + " has mean " + std::to_string(stats.mean[d]) +
                      " and std " + std::to_string(stats.std[d]) + "; both must be finite and std >= 0");
    }
  }
  return stats;
}

// The shortest text that reads back as the same double (yaml-cpp would print 17 digits).
std::string shortest_double(double value) {
  if (std::isnan(value)) return ".nan";
  if (std::isinf(value)) return value > 0 ? ".inf" : "-.inf";
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

}  // namespace

const TaskSchema* DatasetManifest::find_task(const std::string& task_name) const {
  for (const auto& task : tasks) {
    if (task.name == task_name) return &task;
  }
  return nullptr;
}

DatasetManifest load_manifest(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir)) {
    throw DataError("dataset directory '" + dir.string() +
                    "' does not exist; create one with 'mmoe synth --kind attributes --out " + dir.string() +
                    "' or fix data.dir");
  }
  const auto path = dir / kManifestFileName;
  const std::string where = path.string();
  if (!std::filesystem::exists(path)) {
    throw DataError(where + ": missing; '" + dir.string() + "' is not an mmoe dataset directory");
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(where);
  } catch (const YAML::Exception& e) {
    throw DataError(where + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                    ": malformed YAML: " + e.msg);
  }
  if (!root.IsMap()) throw DataError(where + ": expected a mapping at the top level");
  DatasetManifest manifest;
  manifest.format_version = read_key<int64_t>(root, "format_version", where);
  if (manifest.format_version > kManifestFormatVersion) {
    throw DataError(where + ": format_version " + std::to_string(manifest.format_version) +
                    " is newer than this mmoe reads (" + std::to_string(kManifestFormatVersion) + "); upgrade mmoe-trainer");
  }
  if (root["name"]) manifest.name = read_key<std::string>(root, "name", where);
  if (root["description"]) manifest.description = read_key<std::string>(root, "description", where);
  manifest.feature_dim = read_key<int64_t>(root, "feature_dim", where);
  if (manifest.feature_dim < 1) throw DataError(where + ": feature_dim must be >= 1");
  if (root["feature_dtype"]) manifest.feature_dtype = read_key<std::string>(root, "feature_dtype", where);
  std::set<std::string> names;
  for (const auto& node : root["tasks"]) {
    manifest.tasks.push_back(parse_task(node, where));
    if (!names.insert(manifest.tasks.back().name).second) {
      throw DataError(where + ": task '" + manifest.tasks.back().name + "' is listed twice");
    }
  }
  if (manifest.tasks.empty()) throw DataError(where + ": no tasks listed");
  for (const auto& node : root["shards"]) {
    ShardEntry shard;
    shard.file = read_key<std::string>(node, "file", where);
    // A shard whose rows are given under `splits:` has no split of its own.
    if (node["split"] || !root["splits"]) shard.split = read_key<std::string>(node, "split", where);
    shard.rows = read_key<int64_t>(node, "rows", where);
    if (node["sha256"]) shard.sha256 = read_key<std::string>(node, "sha256", where);
    if (node["bytes"]) shard.bytes = read_key<int64_t>(node, "bytes", where);
    if (shard.bytes < 0) throw DataError(where + ": shard '" + shard.file + "' has bytes < 0");
    manifest.shards.push_back(shard);
  }
  for (const auto& entry : root["label_stats"]) {
    TaskLabelStats stats;
    stats.rows = read_key<int64_t>(entry.second, "rows", where);
    stats.labelled = read_key<int64_t>(entry.second, "labelled", where);
    if (entry.second["class_counts"]) stats.class_counts = read_key<std::vector<int64_t>>(entry.second, "class_counts", where);
    manifest.label_stats[entry.first.as<std::string>()] = stats;
  }
  for (const auto& entry : root["attributes"]) {
    manifest.attributes[entry.first.as<std::string>()] = entry.second.as<std::string>();
  }
  if (root["synthetic"]) manifest.synthetic = parse_synthetic(root["synthetic"], where);
  if (root["feature_stats"]) {
    manifest.feature_stats = parse_feature_stats(root["feature_stats"], manifest.feature_dim, where);
  }
  if (root["splits"]) manifest.split_ranges = parse_split_ranges(root["splits"], manifest.shards, where);
  return manifest;
}

void save_manifest(const std::filesystem::path& dir, const DatasetManifest& manifest) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "format_version" << YAML::Value << manifest.format_version;
  out << YAML::Key << "name" << YAML::Value << manifest.name;
  out << YAML::Key << "description" << YAML::Value << manifest.description;
  out << YAML::Key << "feature_dim" << YAML::Value << manifest.feature_dim;
  out << YAML::Key << "feature_dtype" << YAML::Value << manifest.feature_dtype;
  out << YAML::Key << "tasks" << YAML::Value << YAML::BeginSeq;
  for (const auto& task : manifest.tasks) {
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << task.name;
    out << YAML::Key << "type" << YAML::Value << to_string(task.type);
    if (task.type == TaskType::kRegression) {
      out << YAML::Key << "outputs" << YAML::Value << task.num_outputs;
    } else {
      out << YAML::Key << "classes" << YAML::Value << YAML::Flow << task.class_names;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "shards" << YAML::Value << YAML::BeginSeq;
  for (const auto& shard : manifest.shards) {
    out << YAML::BeginMap << YAML::Key << "file" << YAML::Value << shard.file;
    if (!shard.split.empty()) out << YAML::Key << "split" << YAML::Value << shard.split;
    out << YAML::Key << "rows" << YAML::Value << shard.rows << YAML::Key << "sha256" << YAML::Value << shard.sha256;
    if (shard.bytes > 0) out << YAML::Key << "bytes" << YAML::Value << shard.bytes;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "label_stats" << YAML::Value << YAML::BeginMap;
  for (const auto& [task, stats] : manifest.label_stats) {
    out << YAML::Key << task << YAML::Value << YAML::BeginMap << YAML::Key << "rows" << YAML::Value << stats.rows
        << YAML::Key << "labelled" << YAML::Value << stats.labelled;
    if (!stats.class_counts.empty()) out << YAML::Key << "class_counts" << YAML::Value << YAML::Flow << stats.class_counts;
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  out << YAML::Key << "attributes" << YAML::Value << YAML::BeginMap;
  for (const auto& [key, value] : manifest.attributes) out << YAML::Key << key << YAML::Value << value;
  out << YAML::EndMap;
  if (manifest.synthetic) {
    const auto& info = *manifest.synthetic;
    out << YAML::Key << "synthetic" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "kind" << YAML::Value << info.kind << YAML::Key << "seed" << YAML::Value << info.seed;
    if (info.correlation) out << YAML::Key << "correlation" << YAML::Value << shortest_double(*info.correlation);
    if (info.measured_label_correlation) {
      out << YAML::Key << "measured_label_correlation" << YAML::Value
          << shortest_double(*info.measured_label_correlation);
    }
    out << YAML::EndMap;
  }
  if (manifest.feature_stats) {
    const auto& stats = *manifest.feature_stats;
    std::vector<std::string> mean, std;
    for (double v : stats.mean) mean.push_back(shortest_double(v));
    for (double v : stats.std) std.push_back(shortest_double(v));
    out << YAML::Key << "feature_stats" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "split" << YAML::Value << stats.split << YAML::Key << "rows" << YAML::Value << stats.rows;
    out << YAML::Key << "mean" << YAML::Value << YAML::Flow << mean;
    out << YAML::Key << "std" << YAML::Value << YAML::Flow << std;
    out << YAML::EndMap;
  }
  if (!manifest.split_ranges.empty()) emit_split_ranges(out, manifest.split_ranges);
  out << YAML::EndMap;

  const auto path = dir / kManifestFileName;
  const auto partial = dir / (std::string(kManifestFileName) + ".partial");
  {
    std::ofstream file(partial);
    if (!file) throw DataError("cannot write '" + partial.string() + "': is the directory writable?");
    file << "# mmoe dataset manifest (docs/shard-format.md)\n" << out.c_str() << "\n";
    if (!file.flush()) throw DataError("I/O error writing '" + partial.string() + "'");
  }
  std::error_code error;
  std::filesystem::rename(partial, path, error);
  if (error) throw DataError("cannot move '" + partial.string() + "' into place: " + error.message());
}

}  // namespace mmoe::data
