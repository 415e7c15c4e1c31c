#pragma once
// train.nonfinite_loss: what a step whose loss is NaN or Inf does.
//   error (default): training stops with a TrainError naming the task, epoch and step.
//   skip: the step is skipped (no backward, no optimizer update, gradients zeroed), counted per
//         epoch (EpochReport::skipped_steps, metric `skipped_steps`); more than
//         kMaxConsecutiveSkippedSteps skipped steps in a row stop training with the error anyway.
// With several processes the decision is global: a step is skipped everywhere when any rank's loss
// is non-finite (trainer.cpp reduces the flag), so every rank takes the same optimizer steps.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "experiments/config.h"
#include "models/task_head_spec.h"

namespace mmoe::trainer {

inline constexpr int64_t kMaxConsecutiveSkippedSteps = 10;

// Everything a checkpoint needs to resume the policy's counters (plain numbers).
struct NonFiniteLossState {
  int64_t skipped_in_epoch = 0;  // skipped steps of the current epoch
  int64_t consecutive = 0;       // skipped steps in a row, up to the last step
  int64_t skipped_total = 0;     // skipped steps since the run started
};

// "non-finite loss (nan) in task 'price'", or "... in the total loss" when every task's loss is
// finite but the total is not (an auxiliary or weighting term). `per_task` scalars, one per head.
std::string describe_nonfinite_loss(const std::vector<torch::Tensor>& per_task,
                                    const std::vector<models::TaskHeadSpec>& heads, double total);

class NonFiniteLossPolicy {
 public:
  explicit NonFiniteLossPolicy(experiments::NonFiniteLoss policy) : policy_(policy) {}

  void start_epoch() { state_.skipped_in_epoch = 0; }
  // After each step's forward: `finite` is whether the loss is finite on every rank. Returns true
  // when the step must be skipped; throws TrainError under `error`, or past the consecutive limit,
  // with `describe()` + " at epoch E step S" and what to do.
  bool skip_step(bool finite, int64_t epoch, int64_t step, const std::function<std::string()>& describe);

  const NonFiniteLossState& state() const { return state_; }
  void load_state(const NonFiniteLossState& state) { state_ = state; }

 private:
  experiments::NonFiniteLoss policy_;
  NonFiniteLossState state_;
};

}  // namespace mmoe::trainer
