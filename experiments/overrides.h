#pragma once
// Command-line overrides "section.key=value", applied to the YAML tree before typed parsing
// so they get exactly the validation a value in the file gets.
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "experiments/config_sources.h"

namespace mmoe::experiments {

struct Override {
  std::string text;                   // as given, e.g. "model.expert_hidden=[64, 32]"
  std::vector<std::string> key_path;  // {"model", "expert_hidden"}
  YAML::Node value;                   // the value parsed as YAML: scalar, [list] or {map}
};

// Splits at the first '=' and parses the value as a YAML scalar or flow collection; an empty
// value is null. Throws ConfigError "override '<text>': ..." when there is no '=', the key or
// one of its dot-separated parts is empty, or the value is malformed YAML.
Override parse_override(std::string_view text);

// Applies each override in order (a later one wins) to `root`, a map, creating missing
// sections, and records in `sources` which paths each one set. Throws ConfigError when an
// override is malformed or a key on its path holds a value rather than a section.
void apply_overrides(YAML::Node& root, const std::vector<std::string>& overrides,
                     ConfigSources& sources);

}  // namespace mmoe::experiments
