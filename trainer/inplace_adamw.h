#pragma once
// AdamW with PyTorch's update rule (torch.optim.AdamW, amsgrad off) that allocates nothing per
// step: every operation is in place and the denominator goes to a scratch tensor allocated once
// per parameter. LibTorch's AdamW::step creates several parameter-sized temporaries per step;
// with large fused expert weights (16 MiB each) glibc returns them to the OS and page-faults them
// back every step, which cost more than the GEMMs (bench/README.md).
//
// Per parameter p with gradient g, at step t (state and options are LibTorch's AdamW ones, so
// param groups, learning rates and state serialisation behave as torch::optim::AdamW):
//   p   *= 1 - lr * weight_decay
//   m    = beta1 m + (1 - beta1) g
//   v    = beta2 v + (1 - beta2) g^2
//   p   -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
#include <unordered_map>
#include <vector>

#include <torch/torch.h>

namespace mmoe::trainer {

class InPlaceAdamW : public torch::optim::AdamW {
 public:
  // c10::Error when any group asks for amsgrad.
  explicit InPlaceAdamW(std::vector<torch::optim::OptimizerParamGroup> param_groups,
                        torch::optim::AdamWOptions defaults = {});

  torch::Tensor step(LossClosure closure = nullptr) override;

 private:
  std::unordered_map<const c10::TensorImpl*, torch::Tensor> scratch_;  // denominator buffers
};

}  // namespace mmoe::trainer
