#include "trainer/store_recorder.h"

#include <cmath>

#include "trainer/monitor.h"

namespace mmoe::trainer {

tracking::TaskMetricsRecord to_task_metrics_record(const std::string& task, const std::string& split,
                                                   const TaskScores& scores) {
  tracking::TaskMetricsRecord record;
  record.task = task;
  record.split = split;
  record.labelled_rows = scores.labelled_rows;
  record.loss = scores.loss;
  record.accuracy = scores.accuracy;
  record.macro_f1 = scores.macro_f1;
  record.weighted_f1 = scores.weighted_f1;
  record.micro_f1 = scores.micro_f1;
  record.mae = scores.mae;
  record.rmse = scores.rmse;
  record.samples_f1 = scores.samples_f1;
  record.auc = scores.auc;
  record.r2 = scores.r2;
  for (const auto& c : scores.classes) {
    record.classes.push_back({c.class_index, c.class_name, c.precision, c.recall, c.f1, c.support});
  }
  return record;
}

tracking::EpochRecord to_epoch_record(const EpochReport& report) {
  tracking::EpochRecord record;
  record.epoch = report.epoch;
  record.step = report.global_step;
  record.metrics = {{"train_loss", report.train_loss}, {"val_loss", report.val_loss}};
  // val_<metric>: the mean over the validation tasks that have it, when any has.
  bool monitor_logged = report.monitor == "val_loss";
  for (experiments::MonitorMetric metric : experiments::all_monitor_metrics()) {
    if (metric == experiments::MonitorMetric::kLoss) continue;
    const auto mean = mean_task_metric(report.val, metric);
    if (!mean) continue;
    const std::string key = experiments::to_string(experiments::MonitorSpec{metric, ""});
    record.metrics.emplace_back(key, *mean);
    monitor_logged = monitor_logged || key == report.monitor;
  }
  // A one-task monitor (val/<task>/<metric>) under its own name; NaN (absent) is not logged.
  if (!monitor_logged && !std::isnan(report.monitor_value)) record.metrics.emplace_back(report.monitor, report.monitor_value);
  record.metrics.emplace_back("epoch_time_s", report.epoch_seconds);
  record.metrics.emplace_back("rows_per_s", report.rows_per_second);
  for (const auto& [group, lr] : report.learning_rates) record.metrics.emplace_back("lr/" + group, lr);
  // The loop's own metrics (docs/training.md).
  if (report.grad_norm) record.metrics.emplace_back("grad_norm", *report.grad_norm);
  record.metrics.emplace_back("skipped_steps", static_cast<double>(report.skipped_steps));
  if (report.early_stop) record.metrics.emplace_back("early_stopped_epoch", static_cast<double>(report.epoch));
  for (size_t t = 0; t < report.tasks.size(); ++t) {
    record.task_metrics.push_back(to_task_metrics_record(report.tasks[t], "train", report.train[t]));
    record.task_metrics.push_back(to_task_metrics_record(report.tasks[t], "val", report.val[t]));
    // Multiclass tasks only (the only ones with counts), validation split only: it stays cheap.
    const std::vector<int64_t>& counts = report.val[t].confusion;
    if (!counts.empty()) {
      const auto classes = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(counts.size()))));
      record.confusion_matrices.push_back({report.tasks[t], "val", classes, counts});
    }
  }
  for (size_t g = 0; g < report.gates.size(); ++g) {
    if (report.gates[g].utilization.empty()) continue;
    tracking::GateRecord gate;
    gate.task = report.gate_names[g];
    gate.utilization = report.gates[g].utilization;
    gate.entropy_nats = report.gates[g].entropy_nats;
    gate.entropy_normalized = report.gates[g].entropy_normalized;
    record.gates.push_back(gate);
  }
  return record;
}

void StoreRecorder::on_epoch(const EpochReport& report) {
  store_.log_epoch(run_id_, to_epoch_record(report));
  if (report.is_best) store_.set_best(run_id_, report.epoch, report.monitor_value);
}

}  // namespace mmoe::trainer
