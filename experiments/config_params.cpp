// Flattening the resolved config into params (see config_params.h).
#include "experiments/config_params.h"

#include <algorithm>

#include <yaml-cpp/yaml.h>

#include "core/error.h"
#include "experiments/yaml_reader.h"

namespace mmoe::experiments {

namespace {

void flatten(const YAML::Node& node, const std::string& path,
             std::vector<std::pair<std::string, std::string>>* out) {
  if (node.IsMap()) {
    for (auto entry = node.begin(); entry != node.end(); ++entry) {
      flatten(entry->second, join_path(path, entry->first.Scalar()), out);
    }
  } else if (node.IsSequence()) {
    std::string text = "[";
    for (std::size_t i = 0; i < node.size(); ++i) {
      text += (i == 0 ? "" : ", ") + node[i].Scalar();
    }
    out->emplace_back(path, text + "]");
  } else {
    out->emplace_back(path, node.IsNull() ? "" : node.Scalar());
  }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> flatten_params(const std::string& resolved_yaml) {
  std::vector<std::pair<std::string, std::string>> params;
  flatten(YAML::Load(resolved_yaml), "", &params);
  std::sort(params.begin(), params.end());
  for (std::size_t i = 1; i < params.size(); ++i) {
    MMOE_ASSERT(params[i - 1].first != params[i].first,
                "flattened config key '" + params[i].first + "' appears twice");
  }
  return params;
}

}  // namespace mmoe::experiments
