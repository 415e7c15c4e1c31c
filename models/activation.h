#pragma once
// Activation functions selectable for experts and towers.
#include <torch/torch.h>

namespace mmoe::models {

enum class Activation { kRelu, kGelu, kSilu, kTanh };

torch::Tensor apply_activation(const torch::Tensor& x, Activation activation);

}  // namespace mmoe::models
