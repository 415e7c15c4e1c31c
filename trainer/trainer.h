#pragma once
// The training loop: loads the train and validation splits, builds the MMoE, and trains it with
// AdamW and masked per-task losses, evaluating every epoch and stepping ReduceLROnPlateau on the
// monitored metric. Construction does every check that can fail before a run is recorded (data,
// tasks, device), so a bad input never leaves a 'running' run behind.
#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <torch/torch.h>

#include "data/dataset_manifest.h"
#include "data/prefetch_loader.h"
#include "data/row_sampler.h"
#include "data/split_data.h"
#include "distributed/communicator.h"
#include "distributed/gradient_reducer.h"
#include "experiments/config.h"
#include "models/multitask_model.h"
#include "trainer/autocast_guard.h"
#include "trainer/epoch_report.h"
#include "trainer/evaluator.h"
#include "trainer/monitor.h"
#include "trainer/loop_state.h"
#include "trainer/optimizer_setup.h"
#include "trainer/plateau_scheduler.h"
#include "trainer/train_state.h"

namespace mmoe::trainer {

class Trainer {
 public:
  // `stop_requested` (may be null) is polled between steps; when set, train() throws
  // TrainingInterrupted after the current step. With several ranks (communicator world > 1)
  // the ranks agree on it every step, so all of them stop after the same step.
  // `local_rank` picks this process's GPU on its node (trainer/device_choice.h).
  //
  // Data parallel (docs/distributed.md): each rank trains on its share of every global batch
  // (data/row_sampler.h); per-task loss denominators are the global batch's, gradients are
  // summed across ranks by a GradientReducer as backward runs, and the epoch's metric and gate
  // sums are all-reduced, so every rank holds identical weights and makes identical decisions.
  Trainer(experiments::Config config, distributed::Communicator& communicator,
          const std::atomic<bool>* stop_requested = nullptr, int64_t local_rank = 0);
  ~Trainer();

  // Trains epochs completed_epoch + 1 .. train.epochs (all of them unless restore_state ran).
  // A stop request ends it with TrainingInterrupted after the current step; capture_state then
  // holds that step (the epoch's sums so far included), and a trainer restored from it finishes
  // the epoch with the report an uninterrupted one would have given.
  TrainSummary train(TrainingObserver& observer);

  // Checkpoints (trainer/trainer_state.cpp). capture_state copies everything needed to go on
  // bitwise; restore_state applies a captured state to a trainer built from the same config
  // (TrainError naming the tensor or group when the model or optimizer does not fit it).
  TrainingState capture_state();
  void restore_state(const TrainingState& state);
  const LoopCounters& loop_counters() const { return loop_; }
  const models::ModelSpec& model_spec() const { return spec_; }
  const experiments::Config& config() const { return config_; }

  const data::DatasetManifest& manifest() const { return manifest_; }
  // Rows left out for NaN / Inf features (data.nonfinite_features: skip), per split.
  int64_t skipped_train_rows() const { return train_.skipped_rows; }
  int64_t skipped_val_rows() const { return val_.skipped_rows; }
  models::MultiTaskModelImpl& model() { return *model_; }
  std::string monitor_name() const { return monitor_->name(); }
  const char* monitor_mode() const { return monitor_->mode(); }  // "min" or "max"
  const torch::Device& device() const { return device_; }
  // Warmup, early stopping, non-finite loss and grad-norm counters, for checkpoints.
  LoopState loop_state() const;
  void load_loop_state(const LoopState& state);

 private:
  double train_one_epoch(int64_t epoch, TrainingObserver& observer, EpochReport& report);
  // Whether to stop before the next step (with several ranks: what they agreed on).
  bool stop_now() const;
  [[noreturn]] void throw_stop(int64_t epoch, int64_t step) const;
  // The step's loss over every rank (the ranks' shares summed) and whether any rank was asked
  // to stop: one all-reduce of two numbers with several ranks.
  double agree_on_step(double local_loss);
  // BatchNorm running statistics and other buffers become rank 0's (every rank evaluates and
  // checkpoints the same model).
  void synchronize_buffers();
  data::LoaderOptions loader_options(int64_t batch_size, int64_t epoch) const;
  SplitEvaluation evaluate_val();

  experiments::Config config_;
  distributed::Communicator& communicator_;
  const std::atomic<bool>* stop_requested_;
  torch::Device device_{torch::kCPU};
  data::DatasetManifest manifest_;
  // data.cache host / device: whole splits (on device_ for device). none: labels of the train
  // split only (for the training statistics); rows stream from the sources.
  data::SplitData train_;
  data::SplitData val_;
  data::SplitSource train_source_;
  data::SplitSource val_source_;
  std::optional<data::RowSampler> sampler_;  // this rank's training rows
  models::ModelSpec spec_;  // what model_ was built from, with the training statistics
  models::MultiTaskModel model_;
  GroupedOptimizer optimizer_;
  std::optional<PlateauScheduler> scheduler_;
  LoopCounters loop_;
  std::optional<Monitor> monitor_;
  std::vector<TaskMetricOptions> metric_options_;  // per task, in head order
  // The loop's policies (docs/training.md): warmup, early stopping, non-finite loss, AMP.
  std::optional<LrWarmup> warmup_;
  std::optional<EarlyStopping> early_stopping_;
  std::optional<NonFiniteLossPolicy> nonfinite_loss_;
  GradNormStats grad_norm_;
  AmpDecision amp_;
  // World > 1 only: sums the ranks' gradients during backward.
  std::unique_ptr<distributed::GradientReducer> reducer_;
  bool stop_agreed_ = false;  // world > 1: some rank was asked to stop (set by agree_on_step)
  // Mid-epoch checkpoints: what a stop left (captured by capture_state), and what restore_state
  // gave back (consumed by the epoch it belongs to).
  std::optional<PartialEpoch> stopped_partial_;
  std::optional<PartialEpoch> resume_partial_;
};

}  // namespace mmoe::trainer
