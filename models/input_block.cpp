#include "models/input_block.h"

namespace mmoe::models {

InputBlockImpl::InputBlockImpl(InputBlockOptions options) : options_(options) {
  TORCH_CHECK(options_.input_dim() >= 1, "InputBlock: input_dim must be >= 1");
  TORCH_CHECK(options_.shared_dim() >= 0, "InputBlock: shared_dim must be >= 0");
  reset();
}

void InputBlockImpl::reset() {
  if (options_.standardize()) {
    mean_ = register_buffer("feature_mean", torch::zeros({options_.input_dim()}));
    inv_std_ = register_buffer("feature_inv_std", torch::ones({options_.input_dim()}));
  }
  if (options_.shared_dim() > 0) {
    shared_ = register_module("shared", SharedBlock(SharedBlockOptions(options_.input_dim(), options_.shared_dim())
                                                        .dropout(options_.shared_dropout())));
  }
}

int64_t InputBlockImpl::output_dim() const {
  return options_.shared_dim() > 0 ? options_.shared_dim() : options_.input_dim();
}

torch::Tensor InputBlockImpl::forward(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() == 2 && x.size(1) == options_.input_dim(), "model input must be [B, ", options_.input_dim(),
              "], got ", x.sizes());
  auto h = options_.standardize() ? (x - mean_) * inv_std_ : x;
  return shared_ ? shared_->forward(h) : h;
}

void InputBlockImpl::set_feature_statistics(const torch::Tensor& mean, const torch::Tensor& std) {
  TORCH_CHECK(options_.standardize(), "InputBlock: feature statistics given but standardisation is off");
  TORCH_CHECK(mean.numel() == options_.input_dim() && std.numel() == options_.input_dim(),
              "InputBlock: feature statistics must have ", options_.input_dim(), " entries");
  torch::NoGradGuard no_grad;
  const auto safe_std = torch::where(std.abs() < 1e-12, torch::ones_like(std), std);
  mean_.copy_(mean.reshape({-1}));
  inv_std_.copy_(safe_std.reciprocal().reshape({-1}));
}

std::vector<torch::Tensor> InputBlockImpl::shared_parameters() const {
  return shared_ ? shared_->parameters() : std::vector<torch::Tensor>{};
}

}  // namespace mmoe::models
