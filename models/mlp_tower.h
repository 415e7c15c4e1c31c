#pragma once
// A task tower: Linear -> activation (-> dropout) per hidden layer, then a Linear to the head's
// outputs (logits for classification, values for regression).
#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "models/activation.h"

namespace mmoe::models {

struct MlpTowerOptions {
  MlpTowerOptions(int64_t input_dim, std::vector<int64_t> hidden, int64_t output_dim)
      : input_dim_(input_dim), hidden_(std::move(hidden)), output_dim_(output_dim) {}
  TORCH_ARG(int64_t, input_dim);
  TORCH_ARG(std::vector<int64_t>, hidden);  // may be empty: a linear head
  TORCH_ARG(int64_t, output_dim);
  TORCH_ARG(Activation, activation) = Activation::kRelu;
  TORCH_ARG(double, dropout) = 0.0;
  // Regression target standardisation: outputs become out * output_std + output_mean (buffers,
  // [output_dim] each), so predictions are in the original units. Empty: identity.
  TORCH_ARG(std::vector<double>, output_mean) = {};
  TORCH_ARG(std::vector<double>, output_std) = {};
};

class MlpTowerImpl : public torch::nn::Module {
 public:
  explicit MlpTowerImpl(MlpTowerOptions options);
  void reset();

  // x [B, input_dim] -> [B, output_dim]
  torch::Tensor forward(const torch::Tensor& x);

 private:
  MlpTowerOptions options_;
  torch::nn::ModuleList layers_;
  torch::Tensor output_mean_;  // buffer [output_dim] when scaling
  torch::Tensor output_std_;
};
TORCH_MODULE(MlpTower);

// The tower of `task` on top of `input_dim` features, with the spec's widths, activation, dropout
// and the task's target statistics. Every architecture builds its towers with this.
struct ModelSpec;
struct TaskHeadSpec;
MlpTowerOptions tower_options_for(const TaskHeadSpec& task, int64_t input_dim, const ModelSpec& spec);

}  // namespace mmoe::models
