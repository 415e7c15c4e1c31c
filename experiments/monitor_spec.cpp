#include "experiments/monitor_spec.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace mmoe::experiments {

const char* metric_name(MonitorMetric metric) {
  switch (metric) {
    case MonitorMetric::kWeightedF1: return "weighted_f1";
    case MonitorMetric::kLoss: return "loss";
    case MonitorMetric::kMacroF1: return "macro_f1";
    case MonitorMetric::kMicroF1: return "micro_f1";
    case MonitorMetric::kSamplesF1: return "samples_f1";
    case MonitorMetric::kAccuracy: return "accuracy";
    case MonitorMetric::kAuc: return "auc";
    case MonitorMetric::kMae: return "mae";
    case MonitorMetric::kRmse: return "rmse";
    case MonitorMetric::kR2: return "r2";
  }
  return "?";
}

const std::vector<MonitorMetric>& all_monitor_metrics() {
  static const std::vector<MonitorMetric> metrics = {
      MonitorMetric::kWeightedF1, MonitorMetric::kLoss, MonitorMetric::kMacroF1, MonitorMetric::kMicroF1,
      MonitorMetric::kSamplesF1,  MonitorMetric::kAccuracy, MonitorMetric::kAuc, MonitorMetric::kMae,
      MonitorMetric::kRmse,       MonitorMetric::kR2};
  return metrics;
}

std::string to_string(const MonitorSpec& spec) {
  if (spec.task.empty()) return std::string("val_") + metric_name(spec.metric);
  return "val/" + spec.task + "/" + metric_name(spec.metric);
}

namespace {

std::optional<MonitorMetric> find_metric(std::string_view name) {
  for (MonitorMetric metric : all_monitor_metrics()) {
    if (name == metric_name(metric)) return metric;
  }
  return std::nullopt;
}

}  // namespace

std::optional<MonitorSpec> parse_monitor(std::string_view text) {
  constexpr std::string_view kMean = "val_";
  constexpr std::string_view kTask = "val/";
  if (text.substr(0, kMean.size()) == kMean) {
    const auto metric = find_metric(text.substr(kMean.size()));
    if (!metric) return std::nullopt;
    return MonitorSpec{*metric, ""};
  }
  if (text.substr(0, kTask.size()) == kTask) {
    const auto rest = text.substr(kTask.size());
    const auto slash = rest.rfind('/');
    if (slash == std::string_view::npos || slash == 0) return std::nullopt;
    const auto metric = find_metric(rest.substr(slash + 1));
    if (!metric) return std::nullopt;
    return MonitorSpec{*metric, std::string(rest.substr(0, slash))};
  }
  return std::nullopt;
}

std::string monitor_choices() {
  std::vector<std::string> means;
  std::vector<std::string> names;
  for (MonitorMetric metric : all_monitor_metrics()) {
    means.push_back(to_string(MonitorSpec{metric, ""}));
    names.emplace_back(metric_name(metric));
  }
  return fmt::format("{}, or val/<task>/<metric> with <metric> one of {}", fmt::join(means, ", "),
                     fmt::join(names, ", "));
}

bool lower_is_better(MonitorMetric metric) {
  return metric == MonitorMetric::kLoss || metric == MonitorMetric::kMae || metric == MonitorMetric::kRmse;
}

}  // namespace mmoe::experiments
