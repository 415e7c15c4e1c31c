#pragma once
// train.amp: bf16 mixed precision. On a CUDA device the forward pass and the loss run under
// LibTorch's CUDA autocast with bfloat16 (matmuls and linear layers in bf16, reductions and
// losses in fp32 as autocast's op lists decide); backward and the optimizer step run outside it,
// on fp32 parameters (bf16 needs no loss scaling). On CPU the run is fp32, with a one-time note:
// training is then bitwise identical to amp none.
#include <string>

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include "experiments/config.h"

namespace mmoe::trainer {

struct AmpDecision {
  bool autocast = false;  // run forward and loss under AutocastGuard
  std::string note;       // for people, once per run; empty when there is nothing to say
};

AmpDecision decide_amp(experiments::AmpMode mode, const torch::Device& device);

// Enables CUDA autocast to bfloat16 for its lifetime when `enabled` (else does nothing); restores
// the previous enabled flag and dtype, and clears autocast's cast cache when the outermost guard
// ends (as torch.autocast's __exit__). Autocast state is thread-local.
class AutocastGuard {
 public:
  explicit AutocastGuard(bool enabled);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool enabled_;
  bool previous_enabled_ = false;
  at::ScalarType previous_dtype_ = at::kHalf;
};

}  // namespace mmoe::trainer
