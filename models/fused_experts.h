#pragma once
// E MLP experts evaluated together: one GEMM (layer 0) or one batched GEMM (later layers) per
// layer for all experts, never a loop over experts.
//
// Parameter layout (documented because checkpoints depend on it):
//   layer 0:  weight_0 [D, E, H1]  (viewed as [D, E*H1]: one GEMM for all experts)
//             bias_0   [E, H1]
//   layer k:  weight_k [E, H_k, H_{k+1}]  (one bmm over the expert dimension)
//             bias_k   [E, H_{k+1}]
// Each expert's slice is initialised like torch::nn::Linear(in, out): U(-1/sqrt(in), 1/sqrt(in)).
#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "models/activation.h"

namespace mmoe::models {

struct FusedExpertsOptions {
  FusedExpertsOptions(int64_t input_dim, int64_t num_experts, std::vector<int64_t> hidden)
      : input_dim_(input_dim), num_experts_(num_experts), hidden_(std::move(hidden)) {}
  TORCH_ARG(int64_t, input_dim);
  TORCH_ARG(int64_t, num_experts);
  TORCH_ARG(std::vector<int64_t>, hidden);  // layer widths; the last is the expert output size
  TORCH_ARG(Activation, activation) = Activation::kRelu;  // after every layer, the last included
  TORCH_ARG(double, dropout) = 0.0;                        // after every activation, in training
};

class FusedExpertsImpl : public torch::nn::Module {
 public:
  explicit FusedExpertsImpl(FusedExpertsOptions options);
  void reset();
  void reset_parameters();

  // x [B, D] -> [E, B, H_last]
  torch::Tensor forward(const torch::Tensor& x);
  // Each expert its own input (PLE's later levels): x [E, B, D] -> [E, B, H_last], layer 0 as
  // one batched GEMM too. Expert e computes exactly what forward(x[e])[e] would.
  torch::Tensor forward_grouped(const torch::Tensor& x);

  int64_t output_dim() const { return options_.hidden().back(); }
  const FusedExpertsOptions& options() const { return options_; }
  const std::vector<torch::Tensor>& weights() const { return weights_; }
  const std::vector<torch::Tensor>& biases() const { return biases_; }

 private:
  // Activation and dropout of layer 0's pre-activation, then layers 1.. : [E, B, H1] -> [E, B, H_last]
  torch::Tensor finish_layers(torch::Tensor h);

  FusedExpertsOptions options_;
  std::vector<torch::Tensor> weights_;
  std::vector<torch::Tensor> biases_;
};
TORCH_MODULE(FusedExperts);

}  // namespace mmoe::models
