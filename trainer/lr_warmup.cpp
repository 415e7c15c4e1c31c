#include "trainer/lr_warmup.h"

#include "core/error.h"

namespace mmoe::trainer {

double warmup_factor(int64_t step, int64_t warmup_steps, double start_factor) {
  if (step >= warmup_steps) return 1.0;
  return start_factor + (1.0 - start_factor) * static_cast<double>(step) / static_cast<double>(warmup_steps);
}

LrWarmup::LrWarmup(const GroupedOptimizer& optimizer, int64_t warmup_steps, double start_factor)
    : base_lrs_(optimizer.learning_rates()), warmup_steps_(warmup_steps), start_factor_(start_factor) {
  MMOE_ASSERT(warmup_steps_ >= 0, "warmup steps must be >= 0");
  MMOE_ASSERT(start_factor_ >= 0.0 && start_factor_ <= 1.0, "warmup start factor must be in [0, 1]");
}

void LrWarmup::before_step(GroupedOptimizer& optimizer) const {
  if (!active()) return;
  const double factor = warmup_factor(state_.step, warmup_steps_, start_factor_);
  std::vector<double> lrs;
  lrs.reserve(base_lrs_.size());
  for (double base : base_lrs_) lrs.push_back(base * factor);
  optimizer.set_learning_rates(lrs);
}

void LrWarmup::after_step(GroupedOptimizer& optimizer) {
  ++state_.step;
  if (state_.step == warmup_steps_) optimizer.set_learning_rates(base_lrs_);
}

}  // namespace mmoe::trainer
