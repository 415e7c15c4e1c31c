#pragma once
// Text forms shared by to_yaml (config_loader.h) and the flattened params.
#include <string>
#include <string_view>

namespace mmoe::experiments {

// The shortest decimal text that reads back to exactly `value`: 0.001 -> "0.001",
// 1e-8 -> "1e-08", 1.0 -> "1", 0.1 -> "0.1".
std::string format_number(double value);

// `value` as a YAML scalar that every YAML reader takes back as this same string: plain when
// that is unambiguous ("train", "runs/a.db"), double-quoted with escapes otherwise ("", "123",
// "yes", "a: b", "null").
std::string yaml_string(std::string_view value);

}  // namespace mmoe::experiments
