#include "models/activation.h"

namespace mmoe::models {

torch::Tensor apply_activation(const torch::Tensor& x, Activation activation) {
  switch (activation) {
    case Activation::kRelu: return torch::relu(x);
    case Activation::kGelu: return torch::gelu(x);
    case Activation::kSilu: return torch::silu(x);
    case Activation::kTanh: return torch::tanh(x);
  }
  return x;
}

}  // namespace mmoe::models
