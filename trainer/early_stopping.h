#pragma once
// Early stopping on the monitored metric (train.early_stopping_patience, _min_delta): an epoch
// improves when its value beats the best so far by more than min_delta (mode max: value >
// best + min_delta; min: value < best - min_delta); training stops after `patience`
// consecutive epochs without an improvement. The first epoch always improves. Patience 0 is off.
// Keras' EarlyStopping(patience, min_delta) without baseline or restore_best_weights.
#include <cstdint>
#include <limits>

namespace mmoe::trainer {

// Everything a checkpoint needs to resume early stopping (plain numbers).
struct EarlyStoppingState {
  double best = std::numeric_limits<double>::quiet_NaN();  // NaN: no epoch seen yet
  int64_t best_epoch = 0;
  int64_t bad_epochs = 0;     // consecutive epochs without an improvement
  int64_t stopped_epoch = 0;  // the epoch after which training stopped; 0: not stopped
};

class EarlyStopping {
 public:
  // `maximize`: the monitor's direction (val_weighted_f1: true, val_loss: false).
  EarlyStopping(int64_t patience, double min_delta, bool maximize);

  bool enabled() const { return patience_ > 0; }
  // Takes the epoch's monitored value; true when training should stop after this epoch.
  bool should_stop(int64_t epoch, double value);

  const EarlyStoppingState& state() const { return state_; }
  void load_state(const EarlyStoppingState& state) { state_ = state; }

 private:
  int64_t patience_;
  double min_delta_;
  bool maximize_;
  EarlyStoppingState state_;
};

}  // namespace mmoe::trainer
