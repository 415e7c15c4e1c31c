#include "config_test_util.h"

#include <gtest/gtest.h>

namespace mmoe::experiments::testing {

const char* const kMinimalYaml = "data:\n  dir: /data/fish\n";

LoadedConfig load(std::string_view yaml, const std::vector<std::string>& overrides) {
  try {
    return load_config_text(yaml, "cfg.yaml", overrides);
  } catch (const ConfigError& error) {
    ADD_FAILURE() << "unexpected ConfigError: " << error.what();
  }
  return {};
}

std::string error_of(std::string_view yaml, const std::vector<std::string>& overrides) {
  try {
    load_config_text(yaml, "cfg.yaml", overrides);
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << "message is not one line: " << message;
    return message;
  }
  ADD_FAILURE() << "expected a ConfigError, but the config loaded:\n" << yaml;
  return "";
}

std::string param(const LoadedConfig& loaded, const std::string& key) {
  for (const auto& [name, value] : loaded.params) {
    if (name == key) return value;
  }
  return "<absent>";
}

}  // namespace mmoe::experiments::testing
