#pragma once
// The optional shared input block before the experts: Linear -> BatchNorm -> ReLU -> Dropout,
// as in the fashion-attribute model this project comes from.
#include <cstdint>

#include <torch/torch.h>

namespace mmoe::models {

struct SharedBlockOptions {
  SharedBlockOptions(int64_t input_dim, int64_t output_dim)
      : input_dim_(input_dim), output_dim_(output_dim) {}
  TORCH_ARG(int64_t, input_dim);
  TORCH_ARG(int64_t, output_dim);
  TORCH_ARG(double, dropout) = 0.0;
};

class SharedBlockImpl : public torch::nn::Module {
 public:
  explicit SharedBlockImpl(SharedBlockOptions options);
  void reset();

  // x [B, input_dim] -> [B, output_dim]
  torch::Tensor forward(const torch::Tensor& x);

 private:
  SharedBlockOptions options_;
  torch::nn::Linear linear_{nullptr};
  torch::nn::BatchNorm1d norm_{nullptr};
};
TORCH_MODULE(SharedBlock);

}  // namespace mmoe::models
