#pragma once
// What the trainer reports as it goes: per-step progress and a per-epoch summary.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/gate_stats.h"
#include "trainer/task_metrics.h"

namespace mmoe::trainer {

struct StepProgress {
  int64_t epoch = 0;  // 1-based
  int64_t epochs = 0;
  int64_t step_in_epoch = 0;  // 1-based
  int64_t steps_in_epoch = 0;
  int64_t global_step = 0;
  double loss = 0.0;  // this step's total loss
  double rows_per_second = 0.0;
  double epoch_elapsed_seconds = 0.0;
  // on_step comes after every step; log_step marks every train.log_every_steps-th step and the
  // epoch's last, where line-based observers write.
  bool log_step = false;
  bool skipped = false;  // a non-finite loss skipped this step (train.nonfinite_loss: skip)
  std::vector<std::pair<std::string, double>> learning_rates;  // per named group, as this step used
};

struct EpochReport {
  int64_t epoch = 0;  // 1-based
  int64_t epochs = 0;
  int64_t global_step = 0;
  double train_loss = 0.0;  // mean total (weighted) loss over the epoch's steps
  double val_loss = 0.0;    // sum over tasks of weight * mean validation loss
  std::string monitor;      // "val_weighted_f1" or "val_loss"
  double monitor_value = 0.0;
  bool is_best = false;
  std::vector<std::string> tasks;
  std::vector<TaskScores> train;  // per task
  std::vector<TaskScores> val;    // per task
  std::vector<std::pair<std::string, double>> learning_rates;  // per named group
  // Gate statistics over the epoch's training rows, one per gate of the model (a task's gate,
  // or "shared" for a single-gate model); empty for gate-less models.
  std::vector<std::string> gate_names;
  std::vector<models::TaskGateSummary> gates;
  std::vector<std::string> gate_warnings;  // collapse warnings (models::collapse_warnings), one per gate
  double epoch_seconds = 0.0;
  double rows_per_second = 0.0;  // training rows per second
  std::optional<double> grad_norm;  // mean pre-clip global gradient norm of the applied steps
  int64_t skipped_steps = 0;        // steps skipped for a non-finite loss
  bool early_stop = false;          // early stopping ends training after this epoch
};

struct TrainSummary {
  int64_t epochs_run = 0;
  int64_t best_epoch = 0;
  double best_value = 0.0;
  std::string monitor;
  EpochReport last;
  bool stopped_early = false;  // train.early_stopping_patience ended training at stopped_epoch
  int64_t stopped_epoch = 0;
};

class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  virtual void on_step(const StepProgress& progress) {}
  virtual void on_epoch(const EpochReport& report) {}
  virtual void on_note(const std::string& note) {}  // something people should know, once
};

}  // namespace mmoe::trainer
