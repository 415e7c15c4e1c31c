#pragma once
// The flattened "section.key" -> value params stored with each run (see LoadedConfig).
#include <string>
#include <utility>
#include <vector>

namespace mmoe::experiments {

// Flattens a resolved config (the output of to_yaml) into sorted (key, value) pairs: nested
// maps join their keys with dots ("tasks.color.weight", "tracking.tags.owner"), lists read
// "[a, b]", empty maps contribute nothing, and string values appear unquoted.
std::vector<std::pair<std::string, std::string>> flatten_params(const std::string& resolved_yaml);

}  // namespace mmoe::experiments
