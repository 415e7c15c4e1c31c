#pragma once
// Linear learning-rate warmup, applied per optimizer step before the step. Over the first W steps
// (scheduler.warmup_steps, or scheduler.warmup_epochs times the steps per epoch) every group's
// lr is
//   lr_g(s) = base_g * (f + (1 - f) * s / W)      for s = 0 .. W-1 (s = steps already taken)
// with f = scheduler.warmup_start_factor, so the first step uses f * base_g and step W (the first
// after warmup) uses base_g: PyTorch's LinearLR(start_factor=f, end_factor=1, total_iters=W)
// stepped after every optimizer step (f = 0, the default, is also HF's linear warmup).
// base_g is each group's lr from optim (optim.groups.<g>.lr or optim.lr). ReduceLROnPlateau is
// not stepped while warming up; its reductions apply to the post-warmup lr (trainer.cpp).
// Skipped steps (train.nonfinite_loss: skip) advance the warmup like applied ones, so
// warmup_epochs ends at an epoch boundary.
#include <cstdint>
#include <vector>

#include "trainer/optimizer_setup.h"

namespace mmoe::trainer {

// Everything a checkpoint needs to resume the warmup (plain numbers).
struct WarmupState {
  int64_t step = 0;  // optimizer steps taken (or skipped) since the run started
};

// The factor for the step about to be taken after `step` steps: 1 once step >= warmup_steps
// (and always for warmup_steps 0).
double warmup_factor(int64_t step, int64_t warmup_steps, double start_factor);

class LrWarmup {
 public:
  // `warmup_steps` >= 0; start_factor in [0, 1]. The base lrs are the optimizer's lrs now.
  LrWarmup(const GroupedOptimizer& optimizer, int64_t warmup_steps, double start_factor);

  // The next step is a warmup step (ReduceLROnPlateau waits while this holds).
  bool active() const { return state_.step < warmup_steps_; }
  int64_t warmup_steps() const { return warmup_steps_; }
  // Before every step: sets the warmup lrs while active(); leaves the lrs alone afterwards (they
  // then belong to the plateau scheduler).
  void before_step(GroupedOptimizer& optimizer) const;
  // After every step, applied or skipped: counts it, and restores the base lrs when it was the
  // last warmup step (so a plateau step at that epoch's end reduces the full lr).
  void after_step(GroupedOptimizer& optimizer);

  const WarmupState& state() const { return state_; }
  void load_state(const WarmupState& state) { state_ = state; }

 private:
  std::vector<double> base_lrs_;  // one per optimizer param group
  int64_t warmup_steps_;
  double start_factor_;
  WarmupState state_;
};

}  // namespace mmoe::trainer
