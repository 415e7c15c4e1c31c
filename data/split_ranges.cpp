#include "data/split_ranges.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <yaml-cpp/yaml.h>

#include "data/data_error.h"

namespace mmoe::data {
namespace {

const ShardEntry* find_shard(const std::vector<ShardEntry>& shards, const std::string& file) {
  for (const auto& shard : shards) {
    if (shard.file == file) return &shard;
  }
  return nullptr;
}

std::string rows_text(int64_t begin, int64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + ")";
}

SplitRowRange parse_range(const YAML::Node& node, const std::vector<ShardEntry>& shards, const std::string& where) {
  if (!node.IsMap() || !node["file"] || !node["rows"]) {
    throw DataError(where + ": each entry must be {file: F, rows: [begin, end]}");
  }
  SplitRowRange range;
  std::vector<int64_t> rows;
  try {
    range.file = node["file"].as<std::string>();
    rows = node["rows"].as<std::vector<int64_t>>();
  } catch (const YAML::Exception&) {
    throw DataError(where + ": 'file' must be a string and 'rows' two integers [begin, end]");
  }
  if (rows.size() != 2) throw DataError(where + ": 'rows' of '" + range.file + "' must be two integers [begin, end]");
  range.begin = rows[0];
  range.end = rows[1];
  const ShardEntry* shard = find_shard(shards, range.file);
  if (shard == nullptr) {
    throw DataError(where + ": file '" + range.file + "' is not listed under shards; list it there first");
  }
  if (!shard->split.empty()) {
    throw DataError(where + ": shard '" + range.file + "' already belongs to split '" + shard->split +
                    "' as a whole; drop its 'split' key to give its rows as ranges");
  }
  if (range.begin < 0 || range.end <= range.begin || range.end > shard->rows) {
    throw DataError(where + ": rows " + rows_text(range.begin, range.end) + " of '" + range.file +
                    "' must satisfy 0 <= begin < end <= " + std::to_string(shard->rows) + " (its rows)");
  }
  return range;
}

}  // namespace

std::vector<std::pair<std::string, std::vector<SplitRowRange>>> parse_split_ranges(const YAML::Node& node,
                                                                                 const std::vector<ShardEntry>& shards,
                                                                                 const std::string& where) {
  if (!node.IsMap()) throw DataError(where + ": key 'splits' must map split names to lists of row ranges");
  std::vector<std::pair<std::string, std::vector<SplitRowRange>>> splits;
  // Every range of every split by file, to find overlaps: (begin, end, split).
  std::map<std::string, std::vector<std::tuple<int64_t, int64_t, std::string>>> taken;
  for (const auto& entry : node) {
    const auto name = entry.first.as<std::string>();
    const std::string block = where + ": splits." + name;
    if (!entry.second.IsSequence() || entry.second.size() == 0) {
      throw DataError(block + ": must be a non-empty list of {file: F, rows: [begin, end]}");
    }
    std::vector<SplitRowRange> ranges;
    for (const auto& item : entry.second) {
      auto range = parse_range(item, shards, block);
      for (const auto& [begin, end, other] : taken[range.file]) {
        if (range.begin < end && begin < range.end) {
          throw DataError(block + ": rows " + rows_text(range.begin, range.end) + " of '" + range.file +
                          "' overlap rows " + rows_text(begin, end) + " of split '" + other +
                          "'; a row may belong to one split once");
        }
      }
      taken[range.file].emplace_back(range.begin, range.end, name);
      ranges.push_back(std::move(range));
    }
    splits.emplace_back(name, std::move(ranges));
  }
  for (const auto& shard : shards) {
    if (shard.split.empty() && taken.count(shard.file) == 0) {
      throw DataError(where + ": shard '" + shard.file + "' has no split and no rows under 'splits'; give it one");
    }
  }
  return splits;
}

void emit_split_ranges(YAML::Emitter& out, const std::vector<std::pair<std::string, std::vector<SplitRowRange>>>& ranges) {
  out << YAML::Key << "splits" << YAML::Value << YAML::BeginMap;
  for (const auto& [name, list] : ranges) {
    out << YAML::Key << name << YAML::Value << YAML::BeginSeq;
    for (const auto& range : list) {
      out << YAML::Flow << YAML::BeginMap << YAML::Key << "file" << YAML::Value << range.file << YAML::Key << "rows"
          << YAML::Value << YAML::Flow << std::vector<int64_t>{range.begin, range.end} << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
}

std::vector<std::string> DatasetManifest::split_names() const {
  std::vector<std::string> names;
  const auto add = [&](const std::string& name) {
    if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  for (const auto& shard : shards) add(shard.split);
  for (const auto& [name, list] : split_ranges) add(name);
  return names;
}

std::vector<SplitPart> DatasetManifest::split_parts(const std::string& split) const {
  std::vector<SplitPart> parts;
  for (const auto& shard : shards) {
    if (shard.split == split) parts.push_back(SplitPart{&shard, 0, shard.rows});
  }
  for (const auto& [name, list] : split_ranges) {
    if (name != split) continue;
    for (const auto& range : list) {
      const auto it = std::find_if(shards.begin(), shards.end(), [&](const auto& s) { return s.file == range.file; });
      if (it != shards.end()) parts.push_back(SplitPart{&*it, range.begin, range.end});
    }
  }
  return parts;
}

int64_t DatasetManifest::rows_in_split(const std::string& split) const {
  int64_t rows = 0;
  for (const auto& part : split_parts(split)) rows += part.rows();
  return rows;
}

}  // namespace mmoe::data
