#pragma once
// train.monitor: the validation metric that drives ReduceLROnPlateau and picks the best epoch.
//   val_<metric>         the mean of <metric> over the validation tasks that have it
//                        (val_loss: the weighted validation loss, sum_t weight_t * loss_t)
//   val/<task>/<metric>  one task's <metric>
// docs/metrics.md defines the metrics; which task types have which is the trainer's to check.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mmoe::experiments {

enum class MonitorMetric {
  kWeightedF1,
  kLoss,
  kMacroF1,
  kMicroF1,
  kSamplesF1,
  kAccuracy,
  kAuc,
  kMae,
  kRmse,
  kR2,
};

enum class MonitorMode { kAuto, kMin, kMax };  // train.monitor_mode; auto: from the metric

struct MonitorSpec {
  MonitorMetric metric = MonitorMetric::kWeightedF1;
  std::string task;  // empty: the mean over tasks (val_<metric>); else val/<task>/<metric>
  bool operator==(const MonitorSpec& other) const { return metric == other.metric && task == other.task; }
  bool operator!=(const MonitorSpec& other) const { return !(*this == other); }
};

const char* metric_name(MonitorMetric metric);  // "weighted_f1", "loss", ...
const std::vector<MonitorMetric>& all_monitor_metrics();

// "val_weighted_f1", "val/fish/macro_f1".
std::string to_string(const MonitorSpec& spec);
// The inverse of to_string; nullopt for anything else (unknown metric, empty task).
std::optional<MonitorSpec> parse_monitor(std::string_view text);
// For messages: "val_weighted_f1, val_loss, ..., or val/<task>/<metric> with <metric> one of ...".
std::string monitor_choices();

// Whether a lower value is better: loss, mae, rmse.
bool lower_is_better(MonitorMetric metric);

}  // namespace mmoe::experiments
