#include "models/fused_experts.h"

#include <cmath>
#include <string>

#include "core/error.h"

namespace mmoe::models {

FusedExpertsImpl::FusedExpertsImpl(FusedExpertsOptions options) : options_(std::move(options)) {
  TORCH_CHECK(options_.input_dim() >= 1, "FusedExperts: input_dim must be >= 1, got ",
              options_.input_dim());
  TORCH_CHECK(options_.num_experts() >= 1, "FusedExperts: num_experts must be >= 1, got ",
              options_.num_experts());
  TORCH_CHECK(!options_.hidden().empty(), "FusedExperts: hidden needs at least one layer");
  for (int64_t width : options_.hidden()) {
    TORCH_CHECK(width >= 1, "FusedExperts: hidden widths must be >= 1, got ", width);
  }
  TORCH_CHECK(options_.dropout() >= 0.0 && options_.dropout() < 1.0,
              "FusedExperts: dropout must be in [0, 1), got ", options_.dropout());
  reset();
}

void FusedExpertsImpl::reset() {
  weights_.clear();
  biases_.clear();
  const int64_t experts = options_.num_experts();
  int64_t in = options_.input_dim();
  for (size_t layer = 0; layer < options_.hidden().size(); ++layer) {
    const int64_t out = options_.hidden()[layer];
    const std::string index = std::to_string(layer);
    auto weight = layer == 0 ? torch::empty({in, experts, out}) : torch::empty({experts, in, out});
    weights_.push_back(register_parameter("weight_" + index, weight));
    biases_.push_back(register_parameter("bias_" + index, torch::empty({experts, out})));
    in = out;
  }
  reset_parameters();
}

void FusedExpertsImpl::reset_parameters() {
  torch::NoGradGuard no_grad;
  int64_t in = options_.input_dim();
  for (size_t layer = 0; layer < weights_.size(); ++layer) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(in));
    weights_[layer].uniform_(-bound, bound);
    biases_[layer].uniform_(-bound, bound);
    in = options_.hidden()[layer];
  }
}

torch::Tensor FusedExpertsImpl::forward(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() == 2 && x.size(1) == options_.input_dim(),
              "FusedExperts: expected input [B, ", options_.input_dim(), "], got ", x.sizes());
  const int64_t batch = x.size(0);
  const int64_t experts = options_.num_experts();
  const int64_t first_width = options_.hidden()[0];

  // Layer 0: [B, D] @ [D, E*H1] + [E*H1] -> [B, E*H1] -> [E, B, H1] (a strided view, no copy).
  auto h = torch::addmm(biases_[0].reshape({experts * first_width}), x,
                        weights_[0].reshape({options_.input_dim(), experts * first_width}));
  return finish_layers(h.view({batch, experts, first_width}).transpose(0, 1));
}

torch::Tensor FusedExpertsImpl::forward_grouped(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() == 3 && x.size(0) == options_.num_experts() && x.size(2) == options_.input_dim(),
              "FusedExperts: expected grouped input [", options_.num_experts(), ", B, ", options_.input_dim(),
              "], got ", x.sizes());
  // Layer 0 per expert: [E, B, D] x [E, D, H1] (weight_0 [D, E, H1] seen as a strided view) -> [E, B, H1].
  return finish_layers(torch::baddbmm(biases_[0].unsqueeze(1), x, weights_[0].permute({1, 0, 2})));
}

torch::Tensor FusedExpertsImpl::finish_layers(torch::Tensor h) {
  h = apply_activation(h, options_.activation());
  if (options_.dropout() > 0.0) h = torch::dropout(h, options_.dropout(), is_training());

  // Layers k >= 1: one batched GEMM over experts: [E, B, H_k] x [E, H_k, H_k+1] -> [E, B, H_k+1].
  for (size_t layer = 1; layer < weights_.size(); ++layer) {
    h = torch::baddbmm(biases_[layer].unsqueeze(1), h, weights_[layer]);
    h = apply_activation(h, options_.activation());
    if (options_.dropout() > 0.0) h = torch::dropout(h, options_.dropout(), is_training());
  }
  return h;
}

}  // namespace mmoe::models
