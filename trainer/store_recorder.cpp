#include "trainer/store_recorder.h"

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
  return record;
}

tracking::EpochRecord to_epoch_record(const EpochReport& report) {
  tracking::EpochRecord record;
  record.epoch = report.epoch;
  record.step = report.global_step;
  record.metrics = {{"train_loss", report.train_loss},
                    {"val_loss", report.val_loss},
                    {report.monitor == "val_loss" ? "monitor_val_loss" : report.monitor, report.monitor_value},
                    {"epoch_time_s", report.epoch_seconds},
                    {"rows_per_s", report.rows_per_second}};
  if (report.monitor == "val_loss") record.metrics.erase(record.metrics.begin() + 2);
  for (const auto& [group, lr] : report.learning_rates) record.metrics.emplace_back("lr/" + group, lr);
  for (size_t t = 0; t < report.tasks.size(); ++t) {
    record.task_metrics.push_back(to_task_metrics_record(report.tasks[t], "train", report.train[t]));
    record.task_metrics.push_back(to_task_metrics_record(report.tasks[t], "val", report.val[t]));
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
