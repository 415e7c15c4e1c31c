#include "models/mlp_tower.h"

namespace mmoe::models {

MlpTowerImpl::MlpTowerImpl(MlpTowerOptions options) : options_(std::move(options)) {
  TORCH_CHECK(options_.output_dim() >= 1, "MlpTower: output_dim must be >= 1");
  reset();
}

void MlpTowerImpl::reset() {
  layers_ = register_module("layers", torch::nn::ModuleList());
  int64_t in = options_.input_dim();
  for (int64_t width : options_.hidden()) {
    layers_->push_back(torch::nn::Linear(in, width));
    in = width;
  }
  layers_->push_back(torch::nn::Linear(in, options_.output_dim()));
}

torch::Tensor MlpTowerImpl::forward(const torch::Tensor& x) {
  auto h = x;
  const size_t last = layers_->size() - 1;
  for (size_t i = 0; i < layers_->size(); ++i) {
    h = layers_[i]->as<torch::nn::Linear>()->forward(h);
    if (i == last) break;
    h = apply_activation(h, options_.activation());
    if (options_.dropout() > 0.0) h = torch::dropout(h, options_.dropout(), is_training());
  }
  return h;
}

}  // namespace mmoe::models
