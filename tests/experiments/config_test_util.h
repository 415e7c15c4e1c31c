#pragma once
// Helpers for the config tests: load from text and capture ConfigError messages.
#include <string>
#include <string_view>
#include <vector>

#include "experiments/config_loader.h"

namespace mmoe::experiments::testing {

// "data:\n  dir: /data/fish\n": the smallest valid config text.
extern const char* const kMinimalYaml;

// Loads `yaml` as "cfg.yaml" with `overrides`; fails the test if it throws.
LoadedConfig load(std::string_view yaml, const std::vector<std::string>& overrides = {});

// The message of the ConfigError that loading `yaml` as "cfg.yaml" throws; fails the test
// (and returns "") when it loads without one.
std::string error_of(std::string_view yaml, const std::vector<std::string>& overrides = {});

// The value of `key` in `params`, or "<absent>".
std::string param(const LoadedConfig& loaded, const std::string& key);

}  // namespace mmoe::experiments::testing
