// Typed, key-checked reading of config maps (see yaml_reader.h).
#include "experiments/yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <system_error>

#include <fmt/format.h>

#include "core/error.h"

namespace mmoe::experiments {

namespace {

// Whole-text integer: optional sign, then decimal digits ("8", "-3", "+2"; not "2.5", "0x10").
template <typename Int>
std::optional<Int> parse_integer(const std::string& text) {
  std::string_view digits = text;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  if (digits.empty()) return std::nullopt;
  Int value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

// Whole-text decimal number ("0.001", "1e-3", "3", "-2.5"). Also reads "inf" and "nan", which
// the caller rejects as not finite.
std::optional<double> parse_number(const std::string& text) {
  std::string_view digits = text;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  if (digits.empty()) return std::nullopt;
  double value = 0.0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

bool is_yaml_infinity_or_nan(const std::string& text) {
  static const std::set<std::string> spellings = {
      ".inf", "+.inf", "-.inf", ".Inf", "+.Inf", "-.Inf", ".INF", "+.INF", "-.INF",
      ".nan", ".NaN", ".NAN", "inf", "-inf", "nan", "infinity", "-infinity"};
  return spellings.count(text) > 0;
}

int64_t to_int64(const YAML::Node& node, const std::string& path, int64_t example,
                 const ConfigSources& sources) {
  if (node.IsScalar()) {
    if (std::optional<int64_t> value = parse_integer<int64_t>(node.Scalar())) return *value;
  }
  sources.fail(path, fmt::format("expected an integer (got {}); write a whole number such as {}",
                                 describe_node(node), example));
}

double to_double(const YAML::Node& node, const std::string& path, double example,
                 const ConfigSources& sources) {
  if (node.IsScalar()) {
    const std::string& text = node.Scalar();
    if (std::optional<double> value = parse_number(text)) {
      if (std::isfinite(*value)) return *value;
      sources.fail(path, fmt::format("expected a finite number (got '{}')", text));
    }
    if (is_yaml_infinity_or_nan(text)) {
      sources.fail(path, fmt::format("expected a finite number (got '{}')", text));
    }
  }
  sources.fail(path, fmt::format("expected a number (got {}); write a number such as {}",
                                 describe_node(node), example));
}

std::string key_text(const YAML::Node& key, const std::string& parent,
                     const ConfigSources& sources) {
  if (!key.IsScalar()) {
    sources.fail(parent, fmt::format("keys must be plain names (got {} as a key)",
                                     describe_node(key)));
  }
  return key.Scalar();
}

}  // namespace

std::string describe_node(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "an empty value";
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) {
    return node.size() == 1 ? "a list of 1 item" : fmt::format("a list of {} items", node.size());
  }
  const std::string& text = node.Scalar();
  constexpr std::size_t kMaxShown = 60;  // long values are cut so the message stays readable
  if (text.size() > kMaxShown) return "'" + text.substr(0, kMaxShown) + "...'";
  return "'" + text + "'";
}

std::string join_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

MapReader::MapReader(const YAML::Node& node, std::string path,
                     std::vector<std::string> known_keys, const ConfigSources& sources,
                     MovedKeys moved_keys)
    : node_(node), path_(std::move(path)), known_keys_(std::move(known_keys)),
      sources_(&sources), moved_keys_(std::move(moved_keys)) {
  if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap()) {
    sources_->fail(path_, fmt::format("expected a map of keys (got {}); valid keys: {}",
                                      describe_node(node_), join_names(known_keys_)));
  }
  check_keys();
}

void MapReader::check_keys() const {
  if (!node_.IsDefined() || !node_.IsMap()) return;
  std::set<std::string> seen;
  for (auto entry = node_.begin(); entry != node_.end(); ++entry) {
    const std::string key = key_text(entry->first, path_, *sources_);
    const std::string full = path_of(key);
    if (!seen.insert(key).second) sources_->fail(full, "key appears twice; keep one");
    bool known = false;
    for (const std::string& candidate : known_keys_) known = known || candidate == key;
    if (known) continue;
    std::string message = fmt::format("unknown key '{}'", full);
    const auto moved = std::find_if(moved_keys_.begin(), moved_keys_.end(),
                                    [&](const auto& entry) { return entry.first == key; });
    if (moved != moved_keys_.end()) {
      message += fmt::format("; it is now '{}'", moved->second);
    } else if (std::optional<std::string> near = nearest_name(key, known_keys_)) {
      message += fmt::format("; did you mean '{}'?", path_of(*near));
    } else if (path_.empty()) {
      message += "; valid sections: " + join_names(known_keys_);
    } else {
      message += fmt::format("; valid keys in {}: {}", path_, join_names(known_keys_));
    }
    sources_->fail_with_message(full, message);
  }
}

bool MapReader::has(const std::string& key) const {
  MMOE_ASSERT(std::find(known_keys_.begin(), known_keys_.end(), key) != known_keys_.end(),
              "config key '" + path_of(key) + "' is read but not declared in its section");
  return node_.IsDefined() && node_.IsMap() && node_[key].IsDefined();
}

YAML::Node MapReader::value(const std::string& key) const {
  if (!has(key)) return YAML::Node(YAML::NodeType::Undefined);
  return node_[key];
}

void MapReader::read(const std::string& key, int64_t* out) const {
  if (has(key)) *out = to_int64(value(key), path_of(key), *out, *sources_);
}

void MapReader::read(const std::string& key, uint64_t* out) const {
  if (!has(key)) return;
  const YAML::Node node = value(key);
  if (node.IsScalar()) {
    if (std::optional<uint64_t> parsed = parse_integer<uint64_t>(node.Scalar())) {
      *out = *parsed;
      return;
    }
  }
  sources_->fail(path_of(key),
                 fmt::format("expected a non-negative integer (got {}); write a whole number "
                             "such as {}",
                             describe_node(node), *out));
}

void MapReader::read(const std::string& key, bool* out) const {
  if (!has(key)) return;
  const YAML::Node node = value(key);
  if (node.IsScalar()) {  // the YAML 1.2 spellings; not yes / no / on / off
    const std::string& text = node.Scalar();
    if (text == "true" || text == "True" || text == "TRUE") {
      *out = true;
      return;
    }
    if (text == "false" || text == "False" || text == "FALSE") {
      *out = false;
      return;
    }
  }
  sources_->fail(path_of(key),
                 fmt::format("expected true or false (got {})", describe_node(node)));
}

void MapReader::read(const std::string& key, double* out) const {
  if (has(key)) *out = to_double(value(key), path_of(key), *out, *sources_);
}

void MapReader::read(const std::string& key, std::optional<double>* out) const {
  if (has(key)) *out = to_double(value(key), path_of(key), out->value_or(0.001), *sources_);
}

void MapReader::read(const std::string& key, std::string* out) const {
  if (has(key)) *out = read_string(value(key), path_of(key), *sources_);
}

void MapReader::read(const std::string& key, std::vector<int64_t>* out) const {
  if (!has(key)) return;
  const YAML::Node node = value(key);
  const std::string path = path_of(key);
  if (!node.IsSequence()) {
    sources_->fail(path, fmt::format("expected a list of integers such as [256, 128] (got {})",
                                     describe_node(node)));
  }
  std::vector<int64_t> values;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    std::optional<int64_t> parsed;
    if (item.IsScalar()) parsed = parse_integer<int64_t>(item.Scalar());
    if (!parsed) {
      sources_->fail(path, fmt::format("element {} must be an integer (got {})", i + 1,
                                       describe_node(item)));
    }
    values.push_back(*parsed);
  }
  *out = std::move(values);
}

void MapReader::read_pair(const std::string& key, double* first, double* second) const {
  if (!has(key)) return;
  const YAML::Node node = value(key);
  const std::string path = path_of(key);
  if (!node.IsSequence() || node.size() != 2) {
    sources_->fail(path, fmt::format("expected a list of two numbers such as [{}, {}] (got {})",
                                     *first, *second, describe_node(node)));
  }
  double values[2] = {0.0, 0.0};
  for (std::size_t i = 0; i < 2; ++i) {
    const YAML::Node item = node[i];
    std::optional<double> parsed;
    if (item.IsScalar()) parsed = parse_number(item.Scalar());
    if (!parsed || !std::isfinite(*parsed)) {
      sources_->fail(path, fmt::format("element {} must be a finite number (got {})", i + 1,
                                       describe_node(item)));
    }
    values[i] = *parsed;
  }
  *first = values[0];
  *second = values[1];
}

void MapReader::read(const std::string& key, MonitorSpec* out) const {
  if (!has(key)) return;
  const YAML::Node node = value(key);
  if (node.IsScalar()) {
    if (std::optional<MonitorSpec> parsed = parse_monitor(node.Scalar())) {
      *out = *parsed;
      return;
    }
  }
  std::string message = fmt::format("must be one of {} (got {})", monitor_choices(), describe_node(node));
  if (node.IsScalar()) {
    std::vector<std::string> names;
    for (MonitorMetric metric : all_monitor_metrics()) names.push_back(to_string(MonitorSpec{metric, ""}));
    if (std::optional<std::string> near = nearest_name(node.Scalar(), names)) {
      message += fmt::format("; did you mean '{}'?", *near);
    }
  }
  sources_->fail(path_of(key), message);
}

void MapReader::read(const std::string& key, LabelWeights* out) const {
  if (!has(key)) return;
  const YAML::Node node = value(key);
  const std::string path = path_of(key);
  if (node.IsSequence()) {
    LabelWeights weights;
    weights.mode = LabelWeights::Mode::kExplicit;
    for (std::size_t i = 0; i < node.size(); ++i) {
      const YAML::Node item = node[i];
      std::optional<double> parsed;
      if (item.IsScalar()) parsed = parse_number(item.Scalar());
      if (!parsed || !std::isfinite(*parsed)) {
        sources_->fail(path, fmt::format("element {} must be a finite number (got {})", i + 1,
                                         describe_node(item)));
      }
      weights.values.push_back(*parsed);
    }
    *out = std::move(weights);
    return;
  }
  const std::vector<std::string> modes = {"none", "balanced"};
  std::string message = fmt::format("expected none, balanced or a list of numbers (got {})",
                                    describe_node(node));
  if (node.IsScalar()) {
    if (node.Scalar() == "none") {
      *out = LabelWeights{};
      return;
    }
    if (node.Scalar() == "balanced") {
      *out = LabelWeights{LabelWeights::Mode::kBalanced, {}};
      return;
    }
    if (std::optional<std::string> near = nearest_name(node.Scalar(), modes)) {
      message += fmt::format("; did you mean '{}'?", *near);
    }
  }
  sources_->fail(path, message);
}

MapReader MapReader::child(const std::string& key, std::vector<std::string> known_keys,
                           MovedKeys moved_keys) const {
  return MapReader(value(key), path_of(key), std::move(known_keys), *sources_,
                   std::move(moved_keys));
}

void MapReader::fail_enum(const std::string& key, const YAML::Node& node,
                          const std::vector<std::string>& names) const {
  std::string message =
      fmt::format("must be one of {} (got {})", join_names(names), describe_node(node));
  if (node.IsScalar()) {
    if (std::optional<std::string> near = nearest_name(node.Scalar(), names)) {
      message += fmt::format("; did you mean '{}'?", *near);
    }
  }
  sources_->fail(path_of(key), message);
}

std::vector<std::pair<std::string, YAML::Node>> read_named_entries(
    const YAML::Node& node, const std::string& path, const std::string& what,
    const ConfigSources& sources) {
  std::vector<std::pair<std::string, YAML::Node>> entries;
  if (!node.IsDefined() || node.IsNull()) return entries;
  if (!node.IsMap()) {
    sources.fail(path, fmt::format("expected a map of {} (got {})", what, describe_node(node)));
  }
  std::set<std::string> seen;
  for (auto entry = node.begin(); entry != node.end(); ++entry) {
    const std::string name = key_text(entry->first, path, sources);
    if (name.empty()) sources.fail(path, "names must not be empty");
    if (name.find('.') != std::string::npos) {
      sources.fail(path, fmt::format("names must not contain '.' (got '{}'); use '_' or '-'",
                                     name));
    }
    if (!seen.insert(name).second) sources.fail(join_path(path, name), "key appears twice; keep one");
    entries.emplace_back(name, entry->second);
  }
  return entries;
}

std::string read_string(const YAML::Node& node, const std::string& path,
                        const ConfigSources& sources) {
  if (node.IsNull()) return "";
  if (!node.IsScalar()) {
    sources.fail(path, fmt::format("expected a string (got {}); quote the value if it "
                                   "contains ':', '[' or '{{'",
                                   describe_node(node)));
  }
  return node.Scalar();
}

}  // namespace mmoe::experiments
