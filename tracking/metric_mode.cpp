#include "tracking/metric_mode.h"

namespace mmoe::tracking {
namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

const char* to_string(MetricMode mode) { return mode == MetricMode::kMin ? "min" : "max"; }

MetricMode infer_metric_mode(std::string_view metric) {
  const bool lower_is_better = metric.find("loss") != std::string_view::npos ||
                               ends_with(metric, "mae") || ends_with(metric, "mse") ||
                               ends_with(metric, "error");
  return lower_is_better ? MetricMode::kMin : MetricMode::kMax;
}

std::optional<MetricMode> parse_metric_mode(std::string_view text) {
  if (text == "max") return MetricMode::kMax;
  if (text == "min") return MetricMode::kMin;
  return std::nullopt;
}

}  // namespace mmoe::tracking
