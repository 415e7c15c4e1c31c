#include "trainer/early_stopping.h"

#include <cmath>

#include "core/error.h"

namespace mmoe::trainer {

EarlyStopping::EarlyStopping(int64_t patience, double min_delta, bool maximize)
    : patience_(patience), min_delta_(min_delta), maximize_(maximize) {
  MMOE_ASSERT(patience_ >= 0 && min_delta_ >= 0.0, "early stopping patience and min_delta must be >= 0");
}

bool EarlyStopping::should_stop(int64_t epoch, double value) {
  if (!enabled()) return false;
  const bool improved = std::isnan(state_.best) ||
                        (maximize_ ? value > state_.best + min_delta_ : value < state_.best - min_delta_);
  if (improved) {
    state_.best = value;
    state_.best_epoch = epoch;
    state_.bad_epochs = 0;
  } else {
    ++state_.bad_epochs;
  }
  if (state_.bad_epochs >= patience_) state_.stopped_epoch = epoch;
  return state_.stopped_epoch != 0;
}

}  // namespace mmoe::trainer
