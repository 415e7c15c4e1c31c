#pragma once
// YAML spellings of the config enums: the inverse of the to_string functions in config.h.
// Only the config parser and emitter use these; past the parser, choices stay enums.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "experiments/config.h"

namespace mmoe::experiments {

// Every value of an enum, in declaration order (the order error messages list them in).
// Specialized in config_enums.cpp for each enum of config.h.
template <typename Enum>
const std::vector<Enum>& all_values();

template <>
const std::vector<ModelType>& all_values<ModelType>();
template <>
const std::vector<Activation>& all_values<Activation>();
template <>
const std::vector<LossWeighting>& all_values<LossWeighting>();
template <>
const std::vector<RegressionLossType>& all_values<RegressionLossType>();
template <>
const std::vector<Device>& all_values<Device>();
template <>
const std::vector<SchedulerType>& all_values<SchedulerType>();
template <>
const std::vector<ThresholdMode>& all_values<ThresholdMode>();
template <>
const std::vector<MonitorMode>& all_values<MonitorMode>();
template <>
const std::vector<DistributedBackend>& all_values<DistributedBackend>();
template <>
const std::vector<ParamGroup>& all_values<ParamGroup>();
template <>
const std::vector<DataCache>& all_values<DataCache>();
template <>
const std::vector<NonFiniteFeatures>& all_values<NonFiniteFeatures>();
template <>
const std::vector<NonFiniteLoss>& all_values<NonFiniteLoss>();
template <>
const std::vector<ProgressMode>& all_values<ProgressMode>();
template <>
const std::vector<AmpMode>& all_values<AmpMode>();

// The YAML spellings of every value, e.g. {"relu", "gelu", "silu", "tanh"}.
template <typename Enum>
std::vector<std::string> enum_names() {
  std::vector<std::string> names;
  for (Enum value : all_values<Enum>()) names.emplace_back(to_string(value));
  return names;
}

// The value spelled `text` exactly as in YAML, or nullopt (e.g. "plateau" ->
// SchedulerType::kReduceOnPlateau; "ReLU" -> nullopt).
template <typename Enum>
std::optional<Enum> parse_enum(std::string_view text) {
  for (Enum value : all_values<Enum>()) {
    if (text == to_string(value)) return value;
  }
  return std::nullopt;
}

}  // namespace mmoe::experiments
