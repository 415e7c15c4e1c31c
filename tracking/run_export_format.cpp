#include "tracking/run_export_format.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace mmoe::tracking {
namespace {

using Json = nlohmann::ordered_json;

// Shortest text that reads back as the same double; empty for NaN.
std::string number_text(double value) { return std::isnan(value) ? "" : fmt::format("{}", value); }

Json record_json(const RunRecord& record) {
  const RunSummary& s = record.summary;
  Json json;
  json["id"] = s.id;
  json["experiment"] = s.experiment;
  json["name"] = s.name;
  json["status"] = display_status(s);
  json["started_at"] = s.started_at;
  json["ended_at"] = s.ended_at.empty() ? Json(nullptr) : Json(s.ended_at);
  json["epochs"] = s.epochs_logged;
  json["monitor"] = s.monitor;
  json["best_epoch"] = s.best_epoch ? Json(*s.best_epoch) : Json(nullptr);
  json["best_metric"] = s.best_metric ? Json(*s.best_metric) : Json(nullptr);
  json["error"] = s.error.empty() ? Json(nullptr) : Json(s.error);
  Json params = Json::object();
  for (const auto& [key, value] : record.params) params[key] = value;
  Json tags = Json::object();
  for (const auto& [key, value] : record.tags) tags[key] = value;
  Json metrics = Json::object();
  for (const auto& [key, value] : record.final_metrics) {
    metrics[key] = std::isnan(value) ? Json(nullptr) : Json(value);
  }
  json["params"] = std::move(params);
  json["tags"] = std::move(tags);
  json["metrics"] = std::move(metrics);
  return json;
}

std::string to_csv(const std::vector<RunRecord>& runs) {
  std::vector<std::string> param_keys;
  std::set<std::string> seen_params;
  std::set<std::string> tag_keys;
  std::set<std::string> metric_keys;
  for (const RunRecord& run : runs) {
    for (const auto& [key, value] : run.params) {
      if (seen_params.insert(key).second) param_keys.push_back(key);
    }
    for (const auto& [key, value] : run.tags) tag_keys.insert(key);
    for (const auto& [key, value] : run.final_metrics) metric_keys.insert(key);
  }
  std::vector<std::string> header = {"id",      "experiment", "name",       "status",
                                     "started_at", "ended_at", "epochs",    "monitor",
                                     "best_epoch", "best_metric", "error"};
  for (const auto& key : param_keys) header.push_back("params." + key);
  for (const auto& key : tag_keys) header.push_back("tags." + key);
  for (const auto& key : metric_keys) header.push_back("metrics." + key);

  const auto line = [](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + csv_field(cells[i]);
    return out + "\r\n";
  };
  std::string out = line(header);
  for (const RunRecord& run : runs) {
    const RunSummary& s = run.summary;
    std::vector<std::string> cells = {
        s.id, s.experiment, s.name, display_status(s), s.started_at, s.ended_at,
        std::to_string(s.epochs_logged), s.monitor,
        s.best_epoch ? std::to_string(*s.best_epoch) : "",
        s.best_metric ? number_text(*s.best_metric) : "", s.error};
    std::map<std::string, std::string> params(run.params.begin(), run.params.end());
    for (const auto& key : param_keys) {
      const auto found = params.find(key);
      cells.push_back(found == params.end() ? "" : found->second);
    }
    for (const auto& key : tag_keys) {
      const auto found = run.tags.find(key);
      cells.push_back(found == run.tags.end() ? "" : found->second);
    }
    for (const auto& key : metric_keys) {
      const auto found = run.final_metrics.find(key);
      cells.push_back(found == run.final_metrics.end() ? "" : number_text(found->second));
    }
    out += line(cells);
  }
  return out;
}

}  // namespace

std::optional<ExportFormat> parse_export_format(std::string_view text) {
  if (text == "csv") return ExportFormat::kCsv;
  if (text == "json") return ExportFormat::kJson;
  if (text == "jsonl") return ExportFormat::kJsonl;
  return std::nullopt;
}

std::string csv_field(std::string_view text) {
  const bool quote = text.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!quote) return std::string(text);
  std::string out = "\"";
  for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string export_runs_text(const std::vector<RunRecord>& runs, ExportFormat format) {
  switch (format) {
    case ExportFormat::kCsv:
      return to_csv(runs);
    case ExportFormat::kJson: {
      Json array = Json::array();
      for (const RunRecord& run : runs) array.push_back(record_json(run));
      return array.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
    }
    case ExportFormat::kJsonl: {
      std::string out;
      for (const RunRecord& run : runs) {
        out += record_json(run).dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
      }
      return out;
    }
  }
  return "";
}

}  // namespace mmoe::tracking
