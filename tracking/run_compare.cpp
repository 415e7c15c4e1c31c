#include "tracking/run_compare.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "tracking/number_format.h"
#include "tracking/text_table.h"

namespace mmoe::tracking {
namespace {

using Json = nlohmann::ordered_json;

// The task-level metrics, in table order.
std::vector<std::pair<const char*, std::optional<double>>> task_values(const TaskMetricsRecord& row) {
  return {{"loss", row.loss},         {"accuracy", row.accuracy},
          {"macro_f1", row.macro_f1}, {"weighted_f1", row.weighted_f1},
          {"micro_f1", row.micro_f1}, {"samples_f1", row.samples_f1},
          {"auc", row.auc},           {"mae", row.mae},
          {"rmse", row.rmse},         {"r2", row.r2}};
}

// Each scalar key's value at the latest epoch that logged it.
std::map<std::string, double> final_scalars(const RunDetail& run) {
  std::map<std::string, double> values;
  for (const EpochRow& row : run.epochs) {
    for (const auto& [key, value] : row.metrics) values[key] = value;
  }
  return values;
}

std::optional<double> present(double value) {
  return std::isnan(value) ? std::nullopt : std::optional<double>(value);
}

void add_metric(std::vector<MetricComparisonRow>& rows, std::map<std::string, std::size_t>& index,
                const std::string& key, std::size_t run, std::size_t runs, std::optional<double> value) {
  auto found = index.find(key);
  if (found == index.end()) {
    found = index.emplace(key, rows.size()).first;
    rows.push_back(MetricComparisonRow{key, std::vector<std::optional<double>>(runs)});
  }
  rows[found->second].values[run] = value;
}

std::string run_header(const RunSummary& run) { return fmt::format("{} {}", run.id, run.name); }

}  // namespace

RunComparison compare_runs(const std::vector<RunDetail>& runs) {
  RunComparison out;
  const std::size_t n = runs.size();
  std::vector<std::string> keys;
  std::map<std::string, std::vector<std::optional<std::string>>> params;
  for (std::size_t r = 0; r < n; ++r) {
    out.runs.push_back(runs[r].summary);
    for (const auto& [key, value] : runs[r].params) {
      auto [it, inserted] = params.emplace(key, std::vector<std::optional<std::string>>(n));
      if (inserted) keys.push_back(key);
      it->second[r] = value;
    }
  }
  for (const std::string& key : keys) {
    const auto& values = params.at(key);
    bool same = true;
    for (const auto& value : values) same = same && value == values.front();
    if (same) {
      ++out.equal_params;
    } else {
      out.differing_params.push_back(ComparisonRow{key, values});
    }
  }

  std::vector<MetricComparisonRow> scalars;
  std::map<std::string, std::size_t> scalar_index;
  std::vector<MetricComparisonRow> tasks;
  std::map<std::string, std::size_t> task_index;
  for (std::size_t r = 0; r < n; ++r) {
    add_metric(scalars, scalar_index, "best", r, n, runs[r].summary.best_metric);
    for (const auto& [key, value] : final_scalars(runs[r])) {
      add_metric(scalars, scalar_index, key, r, n, present(value));
    }
    for (const TaskMetricsRecord& row : runs[r].final_task_metrics) {
      for (const auto& [name, value] : task_values(row)) {
        if (!value) continue;
        add_metric(tasks, task_index, fmt::format("{}/{}/{}", row.task, row.split, name), r, n,
                   present(*value));
      }
    }
  }
  out.metrics = std::move(scalars);
  out.metrics.insert(out.metrics.end(), tasks.begin(), tasks.end());
  return out;
}

std::string format_comparison(const RunComparison& comparison) {
  std::vector<std::string> header = {""};
  for (const RunSummary& run : comparison.runs) header.push_back(run_header(run));
  std::string out;
  if (comparison.differing_params.empty()) {
    out += fmt::format("params: all {} equal\n", comparison.equal_params);
  } else {
    TextTable table(header);
    for (const ComparisonRow& row : comparison.differing_params) {
      std::vector<std::string> cells = {row.key};
      for (const auto& value : row.values) cells.push_back(value ? *value : "-");
      table.add_row(std::move(cells));
    }
    out += fmt::format("params that differ ({} more equal)\n", comparison.equal_params) +
           table.render("  ");
  }
  TextTable metrics(header);
  for (std::size_t c = 1; c < header.size(); ++c) metrics.set_align(c, TextTable::Align::kRight);
  for (const MetricComparisonRow& row : comparison.metrics) {
    std::vector<std::string> cells = {row.key};
    for (const auto& value : row.values) cells.push_back(format_number(value));
    metrics.add_row(std::move(cells));
  }
  out += "\nfinal metrics\n" + metrics.render("  ");
  return out;
}

std::string comparison_to_json(const RunComparison& comparison) {
  Json runs = Json::array();
  for (const RunSummary& run : comparison.runs) {
    runs.push_back(Json{{"id", run.id}, {"experiment", run.experiment}, {"name", run.name},
                        {"status", display_status(run)}});
  }
  Json params = Json::array();
  for (const ComparisonRow& row : comparison.differing_params) {
    Json values = Json::array();
    for (const auto& value : row.values) values.push_back(value ? Json(*value) : Json(nullptr));
    params.push_back(Json{{"key", row.key}, {"values", values}});
  }
  Json metrics = Json::array();
  for (const MetricComparisonRow& row : comparison.metrics) {
    Json values = Json::array();
    for (const auto& value : row.values) values.push_back(value ? Json(*value) : Json(nullptr));
    metrics.push_back(Json{{"key", row.key}, {"values", values}});
  }
  Json json;
  json["runs"] = std::move(runs);
  json["differing_params"] = std::move(params);
  json["equal_params"] = comparison.equal_params;
  json["metrics"] = std::move(metrics);
  return json.dump(2, ' ', false, Json::error_handler_t::replace);
}

}  // namespace mmoe::tracking
