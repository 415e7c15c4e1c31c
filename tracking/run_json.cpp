// JSON renderings of runs for `mmoe runs list --json` / `mmoe runs show --json`. Keys are the
// struct field names (docs/store.md); absent values (optional, empty ended_at / error /
// git_commit, NaN) are null. Key order follows the structs.
#include <nlohmann/json.hpp>

#include "tracking/run_format.h"

namespace mmoe::tracking {
namespace {

using Json = nlohmann::ordered_json;

Json optional_number(const std::optional<double>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json text_or_null(const std::string& text) { return text.empty() ? Json(nullptr) : Json(text); }

Json summary_json(const RunSummary& run) {
  Json json;
  json["id"] = run.id;
  json["experiment"] = run.experiment;
  json["name"] = run.name;
  json["status"] = display_status(run);  // "stale" for a stale run
  json["stale"] = run.stale;
  json["started_at"] = run.started_at;
  json["ended_at"] = text_or_null(run.ended_at);
  json["epochs_logged"] = run.epochs_logged;
  json["monitor"] = run.monitor;
  json["best_epoch"] = run.best_epoch ? Json(*run.best_epoch) : Json(nullptr);
  json["best_metric"] = optional_number(run.best_metric);
  json["error"] = text_or_null(run.error);
  json["heartbeat_at"] = text_or_null(run.heartbeat_at);
  return json;
}

Json task_metrics_json(const TaskMetricsRecord& row) {
  Json json;
  json["task"] = row.task;
  json["split"] = row.split;
  json["labelled_rows"] = row.labelled_rows;
  json["loss"] = optional_number(row.loss);
  json["accuracy"] = optional_number(row.accuracy);
  json["macro_f1"] = optional_number(row.macro_f1);
  json["weighted_f1"] = optional_number(row.weighted_f1);
  json["micro_f1"] = optional_number(row.micro_f1);
  json["mae"] = optional_number(row.mae);
  json["rmse"] = optional_number(row.rmse);
  json["samples_f1"] = optional_number(row.samples_f1);
  json["auc"] = optional_number(row.auc);
  json["r2"] = optional_number(row.r2);
  Json classes = Json::array();
  for (const ClassMetricsRecord& c : row.classes) {
    Json one;
    one["class_index"] = c.class_index;
    one["class_name"] = c.class_name;
    one["precision"] = c.precision;  // NaN dumps as null
    one["recall"] = c.recall;
    one["f1"] = c.f1;
    one["support"] = c.support;
    classes.push_back(std::move(one));
  }
  json["classes"] = std::move(classes);
  return json;
}

Json gate_json(const GateRecord& gate) {
  Json json;
  json["task"] = gate.task;
  json["utilization"] = gate.utilization;
  json["entropy_nats"] = gate.entropy_nats;
  json["entropy_normalized"] = gate.entropy_normalized;
  return json;
}

Json epoch_json(const EpochRow& row) {
  Json metrics = Json::object();
  for (const auto& [key, value] : row.metrics) metrics[key] = value;  // NaN dumps as null
  Json json;
  json["epoch"] = row.epoch;
  json["step"] = row.step;
  json["metrics"] = std::move(metrics);
  return json;
}

}  // namespace

std::string runs_to_json(const std::vector<RunSummary>& runs) {
  Json json = Json::array();
  for (const RunSummary& run : runs) json.push_back(summary_json(run));
  return json.dump(2, ' ', false, Json::error_handler_t::replace);
}

std::string run_detail_to_json(const RunDetail& run) {
  Json params = Json::object();
  for (const auto& [key, value] : run.params) params[key] = value;
  Json tags = Json::object();
  for (const auto& [key, value] : run.tags) tags[key] = value;
  Json epochs = Json::array();
  for (const EpochRow& row : run.epochs) epochs.push_back(epoch_json(row));
  Json task_metrics = Json::array();
  for (const TaskMetricsRecord& row : run.final_task_metrics) {
    task_metrics.push_back(task_metrics_json(row));
  }
  Json gates = Json::array();
  for (const GateRecord& gate : run.final_gates) gates.push_back(gate_json(gate));

  Json json;
  json["summary"] = summary_json(run.summary);
  json["config_yaml"] = run.config_yaml;
  json["config_hash"] = run.config_hash;
  json["params"] = std::move(params);
  json["tags"] = std::move(tags);
  json["git_commit"] = text_or_null(run.git_commit);
  json["host"] = run.host;
  json["world_size"] = run.world_size;
  json["command_line"] = run.command_line;
  json["epochs"] = std::move(epochs);
  json["final_task_metrics"] = std::move(task_metrics);
  json["final_gates"] = std::move(gates);
  return json.dump(2, ' ', false, Json::error_handler_t::replace);
}

std::string best_runs_to_json(const BestRuns& best, const std::string& metric) {
  Json runs = Json::array();
  for (std::size_t i = 0; i < best.runs.size(); ++i) {
    Json one;
    one["rank"] = i + 1;
    one["value"] = best.runs[i].value;
    one["epoch"] = best.runs[i].epoch;
    one["summary"] = summary_json(best.runs[i].summary);
    runs.push_back(std::move(one));
  }
  Json json;
  json["metric"] = metric;
  json["mode"] = to_string(best.mode);
  json["runs_compared"] = best.runs_compared;
  json["runs"] = std::move(runs);
  return json.dump(2, ' ', false, Json::error_handler_t::replace);
}

}  // namespace mmoe::tracking
