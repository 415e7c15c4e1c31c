#pragma once
// The monitored validation metric (train.monitor, train.monitor_mode) resolved against the
// tasks being trained: checked before a run is created, then evaluated once per epoch.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "data/dataset_manifest.h"
#include "experiments/config.h"
#include "models/task_head_spec.h"
#include "trainer/task_metrics.h"

namespace mmoe::trainer {

// `metric` of one task's scores; nullopt when absent (not of its type, or undefined this epoch).
std::optional<double> task_metric(const TaskScores& scores, experiments::MonitorMetric metric);
// Whether a task of this head can have `metric` at all (auc: multilabel, or multiclass with 2
// classes; accuracy: multiclass; samples_f1: multilabel; mae / rmse / r2: regression).
bool task_has_metric(const models::TaskHeadSpec& head, experiments::MonitorMetric metric);
// The mean of `metric` over the tasks whose scores have it; nullopt when none has.
std::optional<double> mean_task_metric(const std::vector<TaskScores>& scores, experiments::MonitorMetric metric);

class Monitor {
 public:
  // TrainError (one line naming train.monitor and its value) when the monitored task is not in
  // the dataset or not trained, when the task's type lacks the metric, or when no trained task
  // has a val_<metric> mean. val_weighted_f1 without classification tasks becomes val_loss.
  Monitor(const experiments::TrainConfig& train, const std::vector<models::TaskHeadSpec>& heads,
          const data::DatasetManifest& manifest);

  const std::string& name() const { return name_; }  // "val_weighted_f1", "val/fish/macro_f1"
  bool minimize() const { return minimize_; }
  const char* mode() const { return minimize_ ? "min" : "max"; }
  // This epoch's value from the validation scores (per task, in head order) and the weighted
  // validation loss; NaN when the metric is absent this epoch (e.g. AUC with one class only).
  double value(const std::vector<TaskScores>& val, double val_loss) const;
  // Whether `value` beats `best` (NaN never does).
  bool improves(double value, double best) const;

 private:
  experiments::MonitorSpec spec_;
  std::optional<size_t> task_index_;  // per-task monitor: the task's index among the heads
  std::string name_;
  bool minimize_ = false;
};

}  // namespace mmoe::trainer
