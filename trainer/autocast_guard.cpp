#include "trainer/autocast_guard.h"

namespace mmoe::trainer {

AmpDecision decide_amp(experiments::AmpMode mode, const torch::Device& device) {
  AmpDecision decision;
  if (mode == experiments::AmpMode::kNone) return decision;
  if (device.is_cuda()) {
    decision.autocast = true;
    return decision;
  }
  decision.note = "train.amp=bf16 applies to CUDA devices only; training on the CPU in fp32";
  return decision;
}

AutocastGuard::AutocastGuard(bool enabled) : enabled_(enabled) {
  if (!enabled_) return;
  previous_enabled_ = at::autocast::is_enabled();
  previous_dtype_ = at::autocast::get_autocast_gpu_dtype();
  at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
  at::autocast::set_enabled(true);
  at::autocast::increment_nesting();
}

AutocastGuard::~AutocastGuard() {
  if (!enabled_) return;
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  at::autocast::set_enabled(previous_enabled_);
  at::autocast::set_autocast_gpu_dtype(previous_dtype_);
}

}  // namespace mmoe::trainer
