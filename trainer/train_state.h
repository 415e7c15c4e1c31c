#pragma once
// Everything the trainer needs to continue a run exactly where it stopped: the loop's counters,
// the sampler position, the scheduler, the optimizer's moments, the model's tensors and the
// random generators. Trainer::capture_state / restore_state (trainer/trainer_state.cpp) fill and
// apply it; trainer/checkpoint.h writes it to disk (docs/checkpoints.md).
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "data/row_sampler.h"
#include "trainer/loop_state.h"

namespace mmoe::trainer {

// The numbers the training loop carries from one epoch to the next.
struct LoopCounters {
  int64_t completed_epoch = 0;  // epochs fully trained and evaluated
  int64_t global_step = 0;      // optimizer steps so far
  int64_t best_epoch = 0;       // 0: no epoch evaluated yet
  double best_value = 0.0;      // the monitored value at best_epoch
};

// One parameter's AdamW state (InPlaceAdamW keeps LibTorch's AdamWParamState).
struct AdamMoments {
  int64_t step = 0;
  torch::Tensor exp_avg;     // like the parameter
  torch::Tensor exp_avg_sq;  // like the parameter
};

// An epoch stopped part-way (a stop signal): what its first next_batch steps accumulated, so
// that resuming finishes it with the same report as an epoch never stopped. With several ranks
// the sums are already reduced over the ranks (rank 0 holds them; the others resume with zeros).
struct PartialEpoch {
  int64_t epoch = 0;       // 0: none, the state is at an epoch boundary
  int64_t next_batch = 0;  // steps of `epoch` done
  double loss_sum = 0.0;   // sum of the applied steps' global losses
  int64_t applied = 0;     // steps not skipped for a non-finite loss
  int64_t rows_seen = 0;   // rows of every rank
  double elapsed_seconds = 0.0;
  std::vector<std::vector<double>> metric_states;  // per task: TaskMetricAccumulator::state()
  // Per task, per binary problem: AUC scores of the (positive, negative) rows.
  std::vector<std::vector<std::pair<std::vector<double>, std::vector<double>>>> auc_scores;
  torch::Tensor gate_sums;  // GateStatsAccumulator::packed_sums(); undefined without gates
};

struct TrainingState {
  LoopCounters loop;
  LoopState policies;  // warmup, early stopping, non-finite loss, grad-norm (trainer/loop_state.h)
  data::SamplerPosition sampler;
  std::vector<double> scheduler;       // PlateauScheduler::state(); empty without a scheduler
  std::vector<double> learning_rates;  // one per optimizer param group
  // [group][parameter]: nullopt for a parameter that has had no gradient yet.
  std::vector<std::vector<std::optional<AdamMoments>>> optimizer;
  // Named parameters and buffers (module names, e.g. "experts.weight"), CPU copies.
  std::vector<std::pair<std::string, torch::Tensor>> model;
  torch::Tensor cpu_rng;                // uint8, at::Generator::get_state()
  std::vector<torch::Tensor> cuda_rng;  // one per CUDA device; empty on CPU-only builds
  PartialEpoch partial;                 // epoch 0 unless stopped mid-epoch
};

// A visitor over the named numbers of the state. A checkpoint writer stores each field under
// its name and a reader fills it back, so adding a number to the checkpoint is one line in
// visit_fields below.
class StateFields {
 public:
  virtual ~StateFields() = default;
  virtual void field(const std::string& name, int64_t& value) = 0;
  virtual void field(const std::string& name, double& value) = 0;
};

inline void visit_fields(TrainingState& state, StateFields& fields) {
  fields.field("loop.completed_epoch", state.loop.completed_epoch);
  fields.field("loop.global_step", state.loop.global_step);
  fields.field("loop.best_epoch", state.loop.best_epoch);
  fields.field("loop.best_value", state.loop.best_value);
  fields.field("policies.warmup.step", state.policies.warmup.step);
  fields.field("policies.early_stopping.best", state.policies.early_stopping.best);
  fields.field("policies.early_stopping.best_epoch", state.policies.early_stopping.best_epoch);
  fields.field("policies.early_stopping.bad_epochs", state.policies.early_stopping.bad_epochs);
  fields.field("policies.early_stopping.stopped_epoch", state.policies.early_stopping.stopped_epoch);
  fields.field("policies.nonfinite_loss.skipped_in_epoch", state.policies.nonfinite_loss.skipped_in_epoch);
  fields.field("policies.nonfinite_loss.consecutive", state.policies.nonfinite_loss.consecutive);
  fields.field("policies.nonfinite_loss.skipped_total", state.policies.nonfinite_loss.skipped_total);
  fields.field("policies.grad_norm.sum", state.policies.grad_norm.sum);
  fields.field("policies.grad_norm.steps", state.policies.grad_norm.steps);
  fields.field("sampler.epoch", state.sampler.epoch);
  fields.field("sampler.next_batch", state.sampler.next_batch);
}

}  // namespace mmoe::trainer
