#pragma once
// What every architecture does to its input first: optional feature standardisation with
// statistics from the training split (buffers, saved with the model), then the optional shared
// layer Linear -> BatchNorm -> ReLU -> Dropout.
#include <cstdint>

#include <torch/torch.h>

#include "models/shared_block.h"

namespace mmoe::models {

struct InputBlockOptions {
  explicit InputBlockOptions(int64_t input_dim) : input_dim_(input_dim) {}
  TORCH_ARG(int64_t, input_dim);
  TORCH_ARG(bool, standardize) = false;  // x -> (x - mean) / std with set_feature_statistics
  TORCH_ARG(int64_t, shared_dim) = 0;    // 0: no shared layer
  TORCH_ARG(double, shared_dropout) = 0.0;
};

class InputBlockImpl : public torch::nn::Module {
 public:
  explicit InputBlockImpl(InputBlockOptions options);
  void reset();

  // x [B, input_dim] -> [B, output_dim()]
  torch::Tensor forward(const torch::Tensor& x);
  int64_t output_dim() const;

  // mean, std [input_dim]; std entries below 1e-12 are treated as 1 (constant features).
  void set_feature_statistics(const torch::Tensor& mean, const torch::Tensor& std);
  std::vector<torch::Tensor> shared_parameters() const;

 private:
  InputBlockOptions options_;
  torch::Tensor mean_;  // buffer [D] when standardising
  torch::Tensor inv_std_;
  SharedBlock shared_{nullptr};
};
TORCH_MODULE(InputBlock);

}  // namespace mmoe::models
