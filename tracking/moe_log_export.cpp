#include "tracking/moe_log_export.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tracking/plot_render.h"
#include "tracking/report_error.h"
#include "tracking/run_report.h"

namespace mmoe::tracking {
namespace {

using Json = nlohmann::ordered_json;

Json number_or_null(double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); }

}  // namespace

std::string moe_log_line(const EpochRow& epoch, const std::vector<GateRecord>& gates) {
  Json line;
  line["epoch"] = epoch.epoch;
  if (!gates.empty()) {
    std::size_t experts = 0;
    for (const GateRecord& gate : gates) experts = std::max(experts, gate.utilization.size());
    std::vector<double> utilization(experts, 0.0);
    double entropy = 0.0;
    for (const GateRecord& gate : gates) {
      entropy += gate.entropy_nats;
      for (std::size_t e = 0; e < gate.utilization.size(); ++e) utilization[e] += gate.utilization[e];
    }
    const auto n = static_cast<double>(gates.size());
    line["entropy"] = number_or_null(entropy / n);
    Json list = Json::array();
    for (const double u : utilization) list.push_back(number_or_null(u / n));
    line["utilization"] = list;
  }
  Json metrics = Json::object();
  if (const auto found = epoch.metrics.find("val_accuracy"); found != epoch.metrics.end()) {
    metrics["accuracy"] = number_or_null(found->second);
  }
  if (const auto found = epoch.metrics.find("val_loss"); found != epoch.metrics.end()) {
    metrics["loss"] = number_or_null(found->second);
  }
  line["metrics"] = metrics;
  if (!gates.empty()) {
    Json per_task = Json::object();
    for (const GateRecord& gate : gates) {
      Json list = Json::array();
      for (const double u : gate.utilization) list.push_back(number_or_null(u));
      per_task[gate.task] = Json{{"entropy", number_or_null(gate.entropy_nats)},
                                 {"entropy_normalized", number_or_null(gate.entropy_normalized)},
                                 {"utilization", list}};
    }
    line["gates"] = per_task;
  }
  return line.dump();
}

std::string router_affinity_csv(const std::vector<GateRecord>& gates) {
  std::size_t experts = 0;
  for (const GateRecord& gate : gates) experts = std::max(experts, gate.utilization.size());
  std::string csv = "task";
  for (std::size_t e = 0; e < experts; ++e) csv += fmt::format(",expert_{}", e);
  csv += "\n";
  for (const GateRecord& gate : gates) {
    // Task names are quoted when they hold a comma or a quote (RFC 4180).
    std::string name = gate.task;
    if (name.find_first_of(",\"\n") != std::string::npos) {
      std::string quoted = "\"";
      for (const char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
      name = quoted + "\"";
    }
    csv += name;
    for (std::size_t e = 0; e < experts; ++e) {
      csv += "," + (e < gate.utilization.size() ? fmt::format("{}", gate.utilization[e]) : std::string());
    }
    csv += "\n";
  }
  return csv;
}

MoeExport export_moe_log(const Store& store, const std::string& run_id_or_prefix,
                         const std::filesystem::path& out_dir) {
  const RunHistory history = store.get_history(run_id_or_prefix);
  if (history.run.epochs.empty()) {
    throw ReportError(fmt::format(
        "run '{}' in store '{}' has no epochs logged, so there is no training log to export; export a "
        "run that finished at least one epoch",
        history.run.summary.id, store.path().string()));
  }
  prepare_output_directory(out_dir);
  std::string log;
  std::size_t g = 0;
  for (const EpochRow& epoch : history.run.epochs) {
    while (g < history.gates.size() && history.gates[g].first < epoch.epoch) ++g;
    const bool has_gates = g < history.gates.size() && history.gates[g].first == epoch.epoch;
    log += moe_log_line(epoch, has_gates ? history.gates[g].second : std::vector<GateRecord>{}) + "\n";
  }
  MoeExport result{out_dir / "training_log.jsonl", out_dir / "router_affinity_matrix.csv",
                   static_cast<int64_t>(history.run.epochs.size())};
  write_text_file(result.log, log);
  write_text_file(result.matrix,
                  router_affinity_csv(history.gates.empty() ? std::vector<GateRecord>{} : history.gates.back().second));
  return result;
}

}  // namespace mmoe::tracking
