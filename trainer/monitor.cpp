#include "trainer/monitor.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "trainer/train_error.h"

namespace mmoe::trainer {
namespace {

using experiments::MonitorMetric;

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

std::string metrics_of(const models::TaskHeadSpec& head) {
  std::vector<std::string> names;
  for (MonitorMetric metric : experiments::all_monitor_metrics()) {
    if (task_has_metric(head, metric)) names.emplace_back(experiments::metric_name(metric));
  }
  return joined(names);
}

}  // namespace

std::optional<double> task_metric(const TaskScores& scores, MonitorMetric metric) {
  switch (metric) {
    case MonitorMetric::kWeightedF1: return scores.weighted_f1;
    case MonitorMetric::kLoss: return scores.loss;
    case MonitorMetric::kMacroF1: return scores.macro_f1;
    case MonitorMetric::kMicroF1: return scores.micro_f1;
    case MonitorMetric::kSamplesF1: return scores.samples_f1;
    case MonitorMetric::kAccuracy: return scores.accuracy;
    case MonitorMetric::kAuc: return scores.auc;
    case MonitorMetric::kMae: return scores.mae;
    case MonitorMetric::kRmse: return scores.rmse;
    case MonitorMetric::kR2: return scores.r2;
  }
  return std::nullopt;
}

bool task_has_metric(const models::TaskHeadSpec& head, MonitorMetric metric) {
  const bool multiclass = head.type == TaskType::kMulticlass;
  const bool multilabel = head.type == TaskType::kMultilabel;
  const bool regression = head.type == TaskType::kRegression;
  switch (metric) {
    case MonitorMetric::kLoss: return true;
    case MonitorMetric::kWeightedF1:
    case MonitorMetric::kMacroF1:
    case MonitorMetric::kMicroF1: return multiclass || multilabel;
    case MonitorMetric::kSamplesF1: return multilabel;
    case MonitorMetric::kAccuracy: return multiclass;
    case MonitorMetric::kAuc: return multilabel || (multiclass && head.output_dim == 2);
    case MonitorMetric::kMae:
    case MonitorMetric::kRmse:
    case MonitorMetric::kR2: return regression;
  }
  return false;
}

std::optional<double> mean_task_metric(const std::vector<TaskScores>& scores, MonitorMetric metric) {
  double sum = 0.0;
  int64_t count = 0;
  for (const auto& task : scores) {
    if (const auto value = task_metric(task, metric)) {
      sum += *value;
      ++count;
    }
  }
  if (count == 0) return std::nullopt;
  return sum / static_cast<double>(count);
}

Monitor::Monitor(const experiments::TrainConfig& train, const std::vector<models::TaskHeadSpec>& heads,
                 const data::DatasetManifest& manifest)
    : spec_(train.monitor) {
  const std::string key = "train.monitor: " + experiments::to_string(spec_);
  const char* metric = experiments::metric_name(spec_.metric);
  if (!spec_.task.empty()) {
    std::vector<std::string> trained;
    for (size_t t = 0; t < heads.size(); ++t) {
      trained.push_back(heads[t].name);
      if (heads[t].name == spec_.task) task_index_ = t;
    }
    if (!task_index_) {
      std::vector<std::string> all;
      for (const auto& task : manifest.tasks) all.push_back(task.name);
      if (manifest.find_task(spec_.task) == nullptr) {
        throw TrainError(key + ": the dataset has no task '" + spec_.task + "' (its tasks: " + joined(all) + ")");
      }
      throw TrainError(key + ": task '" + spec_.task + "' is not trained (tasks: " + joined(trained) +
                       "); add it to tasks or monitor one of these");
    }
    const auto& head = heads[*task_index_];
    if (!task_has_metric(head, spec_.metric)) {
      throw TrainError(key + ": '" + head.name + "' is a " + to_string(head.type) +
                       (head.type == TaskType::kMulticlass ? " task with " + std::to_string(head.output_dim) + " classes"
                                                           : std::string(" task")) +
                       ", which has no " + metric + " (its metrics: " + metrics_of(head) + ")");
    }
  } else if (spec_.metric != MonitorMetric::kLoss) {
    const bool any = std::any_of(heads.begin(), heads.end(), [&](const auto& h) { return task_has_metric(h, spec_.metric); });
    if (!any && spec_.metric == MonitorMetric::kWeightedF1) {
      spec_.metric = MonitorMetric::kLoss;  // documented fallback without classification tasks
    } else if (!any) {
      throw TrainError(key + ": no trained task has " + metric + "; monitor val_loss or a metric of the tasks");
    }
  }
  name_ = experiments::to_string(spec_);
  switch (train.monitor_mode) {
    case experiments::MonitorMode::kAuto: minimize_ = experiments::lower_is_better(spec_.metric); break;
    case experiments::MonitorMode::kMin: minimize_ = true; break;
    case experiments::MonitorMode::kMax: minimize_ = false; break;
  }
}

double Monitor::value(const std::vector<TaskScores>& val, double val_loss) const {
  std::optional<double> value;
  if (task_index_) {
    value = task_metric(val.at(*task_index_), spec_.metric);
  } else if (spec_.metric == MonitorMetric::kLoss) {
    value = val_loss;
  } else {
    value = mean_task_metric(val, spec_.metric);
  }
  return value.value_or(std::numeric_limits<double>::quiet_NaN());
}

bool Monitor::improves(double value, double best) const {
  if (std::isnan(value)) return false;
  if (std::isnan(best)) return true;
  return minimize_ ? value < best : value > best;
}

}  // namespace mmoe::trainer
