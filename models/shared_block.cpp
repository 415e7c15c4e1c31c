#include "models/shared_block.h"

namespace mmoe::models {

SharedBlockImpl::SharedBlockImpl(SharedBlockOptions options) : options_(options) {
  TORCH_CHECK(options_.output_dim() >= 1, "SharedBlock: output_dim must be >= 1");
  TORCH_CHECK(options_.dropout() >= 0.0 && options_.dropout() < 1.0,
              "SharedBlock: dropout must be in [0, 1), got ", options_.dropout());
  reset();
}

void SharedBlockImpl::reset() {
  linear_ = register_module("linear", torch::nn::Linear(options_.input_dim(), options_.output_dim()));
  norm_ = register_module("norm", torch::nn::BatchNorm1d(options_.output_dim()));
}

torch::Tensor SharedBlockImpl::forward(const torch::Tensor& x) {
  auto h = torch::relu(norm_->forward(linear_->forward(x)));
  if (options_.dropout() > 0.0) h = torch::dropout(h, options_.dropout(), is_training());
  return h;
}

}  // namespace mmoe::models
