#pragma once
// Typed parsing of the merged YAML tree (file with overrides applied) into a Config.
// Checks keys and types only; ranges are checked afterwards by validate_config.
#include <yaml-cpp/yaml.h>

#include "experiments/config.h"
#include "experiments/config_sources.h"

namespace mmoe::experiments {

// `root` is the document: a map of sections, or null for an empty document (all defaults).
// Throws ConfigError for unknown keys, wrong types and unknown enum values.
Config parse_config(const YAML::Node& root, const ConfigSources& sources);

}  // namespace mmoe::experiments
