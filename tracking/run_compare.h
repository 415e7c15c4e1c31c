#pragma once
// `mmoe runs compare`: the params that differ between runs and their final metrics side by side.
#include <optional>
#include <string>
#include <vector>

#include "tracking/store.h"

namespace mmoe::tracking {

struct ComparisonRow {
  std::string key;
  std::vector<std::optional<std::string>> values;  // one per run; nullopt: the run lacks it
};

struct MetricComparisonRow {
  std::string key;
  std::vector<std::optional<double>> values;  // one per run; nullopt: not logged (or NaN)
};

struct RunComparison {
  std::vector<RunSummary> runs;
  std::vector<ComparisonRow> differing_params;  // first run's config order, then the others'
  int64_t equal_params = 0;                     // params with one value in every run
  // Scalar metrics (each key's value at the latest epoch that logged it; "best" is
  // best_metric), then per-task metrics of the last epoch as TASK/SPLIT/METRIC.
  std::vector<MetricComparisonRow> metrics;
};

RunComparison compare_runs(const std::vector<RunDetail>& runs);

std::string format_comparison(const RunComparison& comparison);
// {"runs": [summary...], "differing_params": [{key, values}], "equal_params": N,
//  "metrics": [{key, values}]}
std::string comparison_to_json(const RunComparison& comparison);

}  // namespace mmoe::tracking
