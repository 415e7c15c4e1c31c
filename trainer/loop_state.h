#pragma once
// The training loop's own state beyond model, optimizer and scheduler: what a checkpoint stores
// to resume warmup, early stopping, the non-finite loss counters and the epoch's grad-norm mean
// (Trainer::loop_state / load_loop_state). Plain numbers only.
#include "trainer/early_stopping.h"
#include "trainer/grad_norm.h"
#include "trainer/lr_warmup.h"
#include "trainer/nonfinite_loss.h"

namespace mmoe::trainer {

struct LoopState {
  WarmupState warmup;                 // step
  EarlyStoppingState early_stopping;  // best, best_epoch, bad_epochs, stopped_epoch
  NonFiniteLossState nonfinite_loss;  // skipped_in_epoch, consecutive, skipped_total
  GradNormStats grad_norm;            // sum, steps (of the current epoch)
};

}  // namespace mmoe::trainer
