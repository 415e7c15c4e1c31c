#pragma once
// Loads a YAML config file, applies `section.key=value` overrides, validates every section,
// and produces the resolved config with its hash and flattened params for the store.
// Precedence: overrides beat the file, which beats the defaults in config.h.
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "experiments/config.h"

namespace mmoe::experiments {

// A mistake in a config file or override. The message is one line, starting with the source
// (file path, "file:line:col" for YAML syntax errors, or "override 'k=v'"), then the full key
// path, what is wrong, and what to do, e.g.
//   "cfg.yaml: model.num_experts: must be >= 1 (got 0)"
//   "cfg.yaml: unknown key 'model.num_expert'; did you mean 'model.num_experts'?"
class ConfigError : public mmoe::Error {
 public:
  using mmoe::Error::Error;
};

struct LoadedConfig {
  Config config;
  std::string resolved_yaml;  // every key with its effective value, in a stable order
  std::string hash;           // sha256 hex of resolved_yaml
  // Flattened "section.key" -> value strings, e.g. {"model.num_experts", "8"},
  // {"model.expert_hidden", "[256, 128]"}, {"tasks.color.weight", "1"}; sorted by key.
  std::vector<std::pair<std::string, std::string>> params;
};

// Throws ConfigError: missing or unreadable file, malformed YAML (with line and column),
// unknown key (full path and nearest valid key), wrong type, out-of-range value, bad override.
LoadedConfig load_config_file(const std::filesystem::path& path,
                              const std::vector<std::string>& overrides = {});

// Same, from text; `source_name` stands where a file path would in messages.
LoadedConfig load_config_text(std::string_view yaml_text, std::string_view source_name,
                              const std::vector<std::string>& overrides = {});

// Emits a config as YAML that load_config_text parses back to an equal Config.
std::string to_yaml(const Config& config);

}  // namespace mmoe::experiments
