#pragma once
// The global gradient norm, clipping by it (optim.max_grad_norm), and its per-epoch mean (the
// epoch metric `grad_norm`).
#include <cstdint>
#include <vector>

#include <torch/torch.h>

namespace mmoe::trainer {

// The L2 norm of all gradients together, sqrt(sum_p ||grad_p||^2) (parameters without a
// gradient are left out), before clipping. When max_norm > 0 and the norm exceeds it, every
// gradient is scaled by max_norm / (norm + 1e-6): torch.nn.utils.clip_grad_norm_.
double clip_grad_norm(const std::vector<torch::Tensor>& parameters, double max_norm);

// Everything a checkpoint needs to resume the epoch's mean (plain numbers).
struct GradNormStats {
  double sum = 0.0;   // pre-clip global norms of the epoch's applied steps
  int64_t steps = 0;  // applied steps of the epoch
};

}  // namespace mmoe::trainer
