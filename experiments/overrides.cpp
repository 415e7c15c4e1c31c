// Applying "a.b.c=value" overrides to the YAML tree (see overrides.h).
#include "experiments/overrides.h"

#include <fmt/format.h>

#include "experiments/config_loader.h"
#include "experiments/yaml_reader.h"

namespace mmoe::experiments {

namespace {

std::string_view trim(std::string_view text) {
  const char* kSpace = " \t\r\n";
  const std::size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  const std::size_t last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

[[noreturn]] void fail(std::string_view text, const std::string& what) {
  throw ConfigError(one_line(override_source(text) + ": " + what));
}

}  // namespace

Override parse_override(std::string_view text) {
  const std::size_t equals = text.find('=');
  if (equals == std::string_view::npos) {
    fail(text, "expected key=value with a dotted key, e.g. model.num_experts=4");
  }
  const std::string_view key = trim(text.substr(0, equals));
  if (key.empty()) fail(text, "empty key; write key=value, e.g. model.num_experts=4");
  Override parsed;
  parsed.text = std::string(text);
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = key.find('.', start);
    const std::string_view part = key.substr(start, dot == std::string_view::npos
                                                        ? std::string_view::npos
                                                        : dot - start);
    if (part.empty()) {
      fail(text, fmt::format("key '{}' has an empty part; separate names with single dots, "
                             "e.g. model.shared_layer.dim",
                             key));
    }
    parsed.key_path.emplace_back(part);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  const std::string value(text.substr(equals + 1));
  try {
    parsed.value = YAML::Load(value);
  } catch (const YAML::Exception& error) {
    fail(text, fmt::format("malformed value at column {}: {}; quote it or fix the YAML, "
                           "e.g. model.expert_hidden=[64, 32]",
                           error.mark.is_null() ? 0 : error.mark.column + 1, error.msg));
  }
  return parsed;
}

void apply_overrides(YAML::Node& root, const std::vector<std::string>& overrides,
                     ConfigSources& sources) {
  for (const std::string& text : overrides) {
    const Override parsed = parse_override(text);
    YAML::Node current = root;
    std::string path;
    for (std::size_t i = 0; i + 1 < parsed.key_path.size(); ++i) {
      const std::string& part = parsed.key_path[i];
      path = join_path(path, part);
      YAML::Node next = current[part];
      if (!next.IsDefined() || next.IsNull()) {
        next = YAML::Node(YAML::NodeType::Map);  // a new section, set by this override
        sources.set_by_override(path, text);
      } else if (!next.IsMap()) {
        fail(text, fmt::format("{}: holds {}, not a section of keys, so '{}' cannot be set "
                               "inside it",
                               path, describe_node(next), parsed.key_path[i + 1]));
      }
      current.reset(next);
    }
    const std::string& leaf = parsed.key_path.back();
    current.remove(leaf);  // a fresh node: never write through a YAML alias of another key
    current[leaf] = parsed.value;
    sources.set_by_override(join_path(path, leaf), text);
  }
}

}  // namespace mmoe::experiments
