// Text renderings of runs for `mmoe runs list` and `mmoe runs show`.
#include "tracking/run_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "tracking/gate_health.h"
#include "tracking/number_format.h"
#include "tracking/text_table.h"

namespace mmoe::tracking {
namespace {

using Align = TextTable::Align;

// Metric keys shown first in the epoch table, in this order, when a run has them.
const std::vector<std::string>& leading_metric_keys() {
  static const std::vector<std::string> kKeys = {"train_loss", "val_loss", "val_weighted_f1"};
  return kKeys;
}

// "2024-05-01T12:34:56.789Z" -> "2024-05-01 12:34:56"; anything else unchanged; "" -> "-".
std::string short_time(const std::string& iso) {
  if (iso.empty()) return "-";
  if (iso.size() < 19 || iso[10] != 'T') return iso;
  std::string text = iso.substr(0, 19);
  text[10] = ' ';
  return text;
}

std::string best_cell(const RunSummary& run) {
  if (!run.best_metric) return "-";
  if (!run.best_epoch) return format_number(*run.best_metric);
  return fmt::format("{} @ {}", format_number(*run.best_metric), *run.best_epoch);
}

std::string or_dash(const std::string& text) { return text.empty() ? "-" : text; }

std::string header_lines(const RunDetail& run) {
  const RunSummary& s = run.summary;
  std::string out = fmt::format("run {}  {}\n", s.id, s.name);
  const auto line = [&out](const char* key, const std::string& value) {
    out += fmt::format("  {:<12} {}\n", key, value);
  };
  line("experiment", s.experiment);
  line("status", to_string(s.status));
  if (!s.error.empty()) line("error", s.error);
  line("started", s.started_at);
  line("ended", or_dash(s.ended_at));
  line("epochs", std::to_string(s.epochs_logged));
  std::string monitor = or_dash(s.monitor);
  if (s.best_metric) {
    monitor += fmt::format(", best {}", format_number(*s.best_metric));
    if (s.best_epoch) monitor += fmt::format(" at epoch {}", *s.best_epoch);
  }
  line("monitor", monitor);
  line("host", fmt::format("{} (world size {})", or_dash(run.host), run.world_size));
  line("git commit", or_dash(run.git_commit));
  line("config hash", or_dash(run.config_hash));
  line("command", or_dash(run.command_line));
  return out;
}

std::string tags_section(const RunDetail& run) {
  if (run.tags.empty()) return "\ntags: none\n";
  std::string out = "\ntags\n";
  for (const auto& [key, value] : run.tags) out += fmt::format("  {} = {}\n", key, value);
  return out;
}

std::string config_section(const RunDetail& run) {
  std::string out = "\nconfig (resolved)\n";
  if (run.config_yaml.empty()) return out + "  (not stored)\n";
  std::size_t start = 0;
  while (start < run.config_yaml.size()) {
    std::size_t end = run.config_yaml.find('\n', start);
    if (end == std::string::npos) end = run.config_yaml.size();
    const std::string line = run.config_yaml.substr(start, end - start);
    out += line.empty() ? "\n" : "  " + line + "\n";
    start = end + 1;
  }
  return out;
}

std::vector<std::string> epoch_metric_columns(const std::vector<EpochRow>& epochs) {
  std::set<std::string> keys;
  for (const EpochRow& row : epochs) {
    for (const auto& [key, value] : row.metrics) keys.insert(key);
  }
  std::vector<std::string> columns;
  for (const std::string& key : leading_metric_keys()) {
    if (keys.erase(key) > 0) columns.push_back(key);
  }
  columns.insert(columns.end(), keys.begin(), keys.end());  // the rest, sorted
  return columns;
}

std::string epochs_section(const RunDetail& run) {
  if (run.epochs.empty()) return "\nepochs: none logged\n";
  const std::vector<std::string> keys = epoch_metric_columns(run.epochs);
  std::vector<std::string> header = {"epoch", "step"};
  header.insert(header.end(), keys.begin(), keys.end());
  TextTable table(header);
  for (std::size_t c = 0; c < header.size(); ++c) table.set_align(c, Align::kRight);
  for (const EpochRow& row : run.epochs) {
    std::vector<std::string> cells = {std::to_string(row.epoch), std::to_string(row.step)};
    for (const std::string& key : keys) {
      const auto found = row.metrics.find(key);
      cells.push_back(found == row.metrics.end() ? "-" : format_number(found->second));
    }
    table.add_row(std::move(cells));
  }
  return "\nepochs\n" + table.render("  ");
}

std::string final_epoch_label(const RunDetail& run) {
  return run.epochs.empty() ? "" : fmt::format(" (epoch {})", run.epochs.back().epoch);
}

std::string task_metrics_section(const RunDetail& run) {
  if (run.final_task_metrics.empty()) return "\nfinal task metrics: none logged\n";
  TextTable table({"task", "split", "rows", "loss", "accuracy", "macro_f1", "weighted_f1",
                   "micro_f1", "mae", "rmse"});
  for (std::size_t c = 2; c < 10; ++c) table.set_align(c, Align::kRight);
  for (const TaskMetricsRecord& row : run.final_task_metrics) {
    table.add_row({row.task, row.split, std::to_string(row.labelled_rows),
                   format_number(row.loss), format_number(row.accuracy),
                   format_number(row.macro_f1), format_number(row.weighted_f1),
                   format_number(row.micro_f1), format_number(row.mae), format_number(row.rmse)});
  }
  return "\nfinal task metrics" + final_epoch_label(run) + "\n" + table.render("  ");
}

std::string gates_section(const RunDetail& run) {
  if (run.final_gates.empty()) return "\ngates: none logged\n";
  std::size_t experts = 0;
  for (const GateRecord& gate : run.final_gates) experts = std::max(experts, gate.utilization.size());
  std::vector<std::string> header = {"task"};
  for (std::size_t e = 0; e < experts; ++e) header.push_back(fmt::format("e{}", e));
  header.push_back("entropy_nats");
  header.push_back("entropy_normalized");
  TextTable table(header);
  for (std::size_t c = 1; c < header.size(); ++c) table.set_align(c, Align::kRight);
  for (const GateRecord& gate : run.final_gates) {
    std::vector<std::string> cells = {gate.task};
    for (std::size_t e = 0; e < experts; ++e) {
      cells.push_back(e < gate.utilization.size() ? format_percent(gate.utilization[e]) : "-");
    }
    cells.push_back(format_number(gate.entropy_nats));
    cells.push_back(format_number(gate.entropy_normalized));
    table.add_row(std::move(cells));
  }
  std::string out = "\ngate utilization" + final_epoch_label(run) + "\n" + table.render("  ");
  for (const std::string& warning : collapse_warnings(run.final_gates)) out += warning + "\n";
  return out;
}

}  // namespace

std::string format_run_table(const std::vector<RunSummary>& runs) {
  if (runs.empty()) return "no runs\n";
  TextTable table(
      {"id", "experiment", "name", "status", "started (UTC)", "epochs", "monitor", "best"});
  table.set_align(5, Align::kRight);
  for (const RunSummary& run : runs) {
    table.add_row({run.id, run.experiment, run.name, to_string(run.status),
                   short_time(run.started_at), std::to_string(run.epochs_logged),
                   or_dash(run.monitor), best_cell(run)});
  }
  return table.render();
}

std::string format_run_detail(const RunDetail& run) {
  return header_lines(run) + tags_section(run) + config_section(run) + epochs_section(run) +
         task_metrics_section(run) + gates_section(run);
}

}  // namespace mmoe::tracking
