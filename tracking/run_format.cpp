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
  line("status", s.stale ? fmt::format("stale (stored as running; no heartbeat since {})",
                                        s.heartbeat_at)
                          : std::string(to_string(s.status)));
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
  // samples_f1, auc and r2 (schema version 2) get a column only when some task has them.
  bool samples_f1 = false;
  bool auc = false;
  bool r2 = false;
  for (const TaskMetricsRecord& row : run.final_task_metrics) {
    samples_f1 = samples_f1 || row.samples_f1.has_value();
    auc = auc || row.auc.has_value();
    r2 = r2 || row.r2.has_value();
  }
  std::vector<std::string> header = {"task", "split", "rows", "loss", "accuracy", "macro_f1",
                                     "weighted_f1", "micro_f1"};
  if (samples_f1) header.push_back("samples_f1");
  if (auc) header.push_back("auc");
  header.insert(header.end(), {"mae", "rmse"});
  if (r2) header.push_back("r2");
  TextTable table(header);
  for (std::size_t c = 2; c < header.size(); ++c) table.set_align(c, Align::kRight);
  for (const TaskMetricsRecord& row : run.final_task_metrics) {
    std::vector<std::string> cells = {
        row.task, row.split, std::to_string(row.labelled_rows), format_number(row.loss),
        format_number(row.accuracy), format_number(row.macro_f1), format_number(row.weighted_f1),
        format_number(row.micro_f1)};
    if (samples_f1) cells.push_back(format_number(row.samples_f1));
    if (auc) cells.push_back(format_number(row.auc));
    cells.push_back(format_number(row.mae));
    cells.push_back(format_number(row.rmse));
    if (r2) cells.push_back(format_number(row.r2));
    table.add_row(std::move(cells));
  }
  return "\nfinal task metrics" + final_epoch_label(run) + "\n" + table.render("  ");
}

std::string class_metrics_section(const RunDetail& run) {
  TextTable table({"task", "split", "class", "name", "precision", "recall", "f1", "support"});
  for (std::size_t c = 4; c < 8; ++c) table.set_align(c, Align::kRight);
  table.set_align(2, Align::kRight);
  for (const TaskMetricsRecord& row : run.final_task_metrics) {
    for (const ClassMetricsRecord& c : row.classes) {
      table.add_row({row.task, row.split, std::to_string(c.class_index), c.class_name,
                     format_number(c.precision), format_number(c.recall), format_number(c.f1),
                     std::to_string(c.support)});
    }
  }
  if (table.empty()) return "";
  return "\nper-class metrics" + final_epoch_label(run) + "\n" + table.render("  ");
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
    table.add_row({run.id, run.experiment, run.name, display_status(run),
                   short_time(run.started_at), std::to_string(run.epochs_logged),
                   or_dash(run.monitor), best_cell(run)});
  }
  return table.render();
}

std::string format_run_detail(const RunDetail& run) {
  return header_lines(run) + tags_section(run) + config_section(run) + epochs_section(run) +
         task_metrics_section(run) + class_metrics_section(run) + gates_section(run);
}

std::string format_best_runs(const BestRuns& best, const std::string& metric) {
  if (best.runs.empty()) return fmt::format("no run has logged '{}'\n", metric);
  TextTable table({"rank", "id", "experiment", "name", "status", metric, "epoch"});
  for (const std::size_t c : {0, 5, 6}) table.set_align(c, Align::kRight);
  for (std::size_t i = 0; i < best.runs.size(); ++i) {
    const RankedRun& run = best.runs[i];
    table.add_row({std::to_string(i + 1), run.summary.id, run.summary.experiment, run.summary.name,
                   display_status(run.summary), format_number(run.value),
                   std::to_string(run.epoch)});
  }
  return fmt::format("best '{}' ({} is better; {} run(s) compared)\n", metric,
                     best.mode == MetricMode::kMax ? "higher" : "lower", best.runs_compared) +
         table.render();
}

}  // namespace mmoe::tracking
