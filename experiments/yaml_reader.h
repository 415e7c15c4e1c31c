#pragma once
// Reads one YAML map of the config into typed fields, checking every key and value.
// A MapReader is told the keys its section knows up front, so unknown keys are reported
// (with the nearest valid key) before any value is read, in document order.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "experiments/config_enums.h"
#include "experiments/config_sources.h"
#include "experiments/suggest.h"

namespace mmoe::experiments {

// How a node reads in a "(got ...)" clause: "'eight'" for a scalar, "a map", "a list",
// "an empty value" for null.
std::string describe_node(const YAML::Node& node);

// "model.num_experts" from "model" and "num_experts"; just the key at the root.
std::string join_path(const std::string& parent, const std::string& key);

class MapReader {
 public:
  // Keys that a section no longer has, with the full path that replaced each, e.g.
  // {"gate_temperature", "model.gate.temperature"}: an old config then reads "unknown key
  // 'model.gate_temperature'; it is now 'model.gate.temperature'".
  using MovedKeys = std::vector<std::pair<std::string, std::string>>;

  // `node` is the map at `path` (e.g. "model.shared_layer"; "" for the document root); null or
  // undefined reads as an empty map. Throws ConfigError when the node is not a map, a key is
  // not a plain name, appears twice, or is not one of `known_keys`.
  MapReader(const YAML::Node& node, std::string path, std::vector<std::string> known_keys,
            const ConfigSources& sources, MovedKeys moved_keys = {});

  const std::string& path() const { return path_; }
  std::string path_of(const std::string& key) const { return join_path(path_, key); }
  bool has(const std::string& key) const;
  YAML::Node value(const std::string& key) const;  // undefined when absent

  // Each read leaves *out unchanged (its default) when the key is absent and throws
  // ConfigError naming the full key path when the value has the wrong type.
  void read(const std::string& key, int64_t* out) const;
  void read(const std::string& key, uint64_t* out) const;
  void read(const std::string& key, bool* out) const;  // true or false (also True, TRUE, ...)
  void read(const std::string& key, double* out) const;  // finite numbers only
  void read(const std::string& key, std::optional<double>* out) const;
  void read(const std::string& key, std::string* out) const;  // empty value reads as ""
  void read(const std::string& key, std::vector<int64_t>* out) const;  // [a, b, ...]
  void read_pair(const std::string& key, double* first, double* second) const;  // [a, b]
  // none, balanced, or a list of finite numbers [w0, w1, ...] (ranges: validate_config).
  void read(const std::string& key, LabelWeights* out) const;
  // train.monitor: val_<metric> or val/<task>/<metric> (experiments/monitor_spec.h).
  void read(const std::string& key, MonitorSpec* out) const;

  template <typename Enum>
  void read_enum(const std::string& key, Enum* out) const {
    if (!has(key)) return;
    const YAML::Node node = value(key);
    if (node.IsScalar()) {
      if (std::optional<Enum> parsed = parse_enum<Enum>(node.Scalar())) {
        *out = *parsed;
        return;
      }
    }
    fail_enum(key, node, enum_names<Enum>());
  }

  // The reader of the sub-map at `key` (empty when absent).
  MapReader child(const std::string& key, std::vector<std::string> known_keys,
                  MovedKeys moved_keys = {}) const;

 private:
  [[noreturn]] void fail_enum(const std::string& key, const YAML::Node& node,
                              const std::vector<std::string>& names) const;
  void check_keys() const;

  YAML::Node node_;
  std::string path_;
  std::vector<std::string> known_keys_;
  const ConfigSources* sources_;
  MovedKeys moved_keys_;
};

// The entries of a map whose keys are free names (tasks.<name>, tracking.tags.<key>), in
// document order. Null or undefined reads as empty. Throws ConfigError when the node is not a
// map, or a name is not a plain scalar, is empty, contains '.', or appears twice.
std::vector<std::pair<std::string, YAML::Node>> read_named_entries(
    const YAML::Node& node, const std::string& path, const std::string& what,
    const ConfigSources& sources);

// The scalar text of a string value; an empty value reads as "".
std::string read_string(const YAML::Node& node, const std::string& path,
                        const ConfigSources& sources);

}  // namespace mmoe::experiments
