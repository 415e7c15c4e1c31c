#include "trainer/plateau_scheduler.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace mmoe::trainer {

PlateauScheduler::PlateauScheduler(PlateauOptions options) : options_(std::move(options)) {
  MMOE_ASSERT(options_.factor > 0.0 && options_.factor < 1.0, "plateau factor must be in (0, 1)");
  best_ = options_.mode == PlateauMode::kMin ? std::numeric_limits<double>::infinity()
                                             : -std::numeric_limits<double>::infinity();
}

bool PlateauScheduler::is_better(double value) const {
  const double t = options_.threshold;
  const bool rel = options_.threshold_mode == PlateauThresholdMode::kRel;
  if (options_.mode == PlateauMode::kMin) return value < (rel ? best_ * (1.0 - t) : best_ - t);
  return value > (rel ? best_ * (1.0 + t) : best_ + t);
}

double PlateauScheduler::min_lr(size_t group) const {
  if (options_.min_lrs.empty()) return 0.0;
  if (options_.min_lrs.size() == 1) return options_.min_lrs[0];
  MMOE_ASSERT(group < options_.min_lrs.size(), "one min_lr per parameter group");
  return options_.min_lrs[group];
}

std::vector<double> PlateauScheduler::step(double value, const std::vector<double>& lrs) {
  ++last_epoch_;
  if (is_better(value)) {
    best_ = value;
    num_bad_epochs_ = 0;
  } else {
    ++num_bad_epochs_;
  }
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    num_bad_epochs_ = 0;  // bad epochs in cooldown are ignored
  }
  std::vector<double> out = lrs;
  if (num_bad_epochs_ > options_.patience) {
    for (size_t g = 0; g < out.size(); ++g) {
      const double reduced = std::max(out[g] * options_.factor, min_lr(g));
      if (out[g] - reduced > options_.eps) out[g] = reduced;
    }
    cooldown_counter_ = options_.cooldown;
    num_bad_epochs_ = 0;
  }
  return out;
}

std::vector<double> PlateauScheduler::state() const {
  return {best_, static_cast<double>(num_bad_epochs_), static_cast<double>(cooldown_counter_),
          static_cast<double>(last_epoch_)};
}

void PlateauScheduler::load_state(const std::vector<double>& state) {
  MMOE_ASSERT(state.size() == 4, "plateau scheduler state has 4 values");
  best_ = state[0];
  num_bad_epochs_ = static_cast<int64_t>(state[1]);
  cooldown_counter_ = static_cast<int64_t>(state[2]);
  last_epoch_ = static_cast<int64_t>(state[3]);
}

}  // namespace mmoe::trainer
