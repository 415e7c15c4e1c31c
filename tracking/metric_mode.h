#pragma once
// Whether a metric is better higher (max) or lower (min); MetricMode is declared in store.h.
#include <optional>
#include <string_view>

#include "tracking/store.h"

namespace mmoe::tracking {

// From the name: min when it contains "loss" or ends in "mae", "mse" or "error" (val_loss,
// val_rmse, family_error), max otherwise (accuracy, F1, AUC, R^2). runs.monitor_mode is set so.
MetricMode infer_metric_mode(std::string_view metric);

// "max" / "min"; nullopt for anything else.
std::optional<MetricMode> parse_metric_mode(std::string_view text);

}  // namespace mmoe::tracking
