#pragma once
// Multi-gate Mixture-of-Experts (Ma et al., KDD 2018):
//   h      = shared_block(x) or x                        [B, D']
//   experts = FusedExperts(h)                             [E, B, H]
//   gates   = softmax per task over experts of h          [B, T, E]
//   mixed_t = sum_e gates[:, t, e] * experts[e]           [B, T, H] (one bmm)
//   out_t   = tower_t(mixed_t)                            [B, C_t]
#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "models/fused_experts.h"
#include "models/mlp_tower.h"
#include "models/shared_block.h"
#include "models/task_gates.h"
#include "models/task_head_spec.h"

namespace mmoe::models {

struct MmoeOptions {
  MmoeOptions(int64_t input_dim, std::vector<TaskHeadSpec> tasks)
      : input_dim_(input_dim), tasks_(std::move(tasks)) {}
  TORCH_ARG(int64_t, input_dim);
  TORCH_ARG(std::vector<TaskHeadSpec>, tasks);
  TORCH_ARG(int64_t, num_experts) = 8;
  TORCH_ARG(std::vector<int64_t>, expert_hidden) = std::vector<int64_t>{256, 128};
  TORCH_ARG(Activation, activation) = Activation::kRelu;
  TORCH_ARG(double, expert_dropout) = 0.0;
  TORCH_ARG(std::vector<int64_t>, tower_hidden) = std::vector<int64_t>{64};
  TORCH_ARG(double, gate_temperature) = 1.0;
  TORCH_ARG(int64_t, shared_dim) = 0;  // 0: no shared block
  TORCH_ARG(double, shared_dropout) = 0.0;
};

struct MmoeOutput {
  std::vector<torch::Tensor> task_outputs;  // per task [B, C_t]
  torch::Tensor gates;                      // [B, T, E]
};

class MmoeImpl : public torch::nn::Module {
 public:
  explicit MmoeImpl(MmoeOptions options);
  void reset();

  // x [B, input_dim]
  MmoeOutput forward(const torch::Tensor& x);

  const MmoeOptions& options() const { return options_; }
  int64_t num_tasks() const { return static_cast<int64_t>(options_.tasks().size()); }

  // Parameter groups for the optimizer (each parameter in exactly one).
  std::vector<torch::Tensor> shared_parameters() const;
  std::vector<torch::Tensor> expert_parameters() const;
  std::vector<torch::Tensor> gate_parameters() const;
  std::vector<torch::Tensor> tower_parameters() const;

 private:
  MmoeOptions options_;
  SharedBlock shared_{nullptr};
  FusedExperts experts_{nullptr};
  TaskGates gates_{nullptr};
  torch::nn::ModuleList towers_;
};
TORCH_MODULE(Mmoe);

}  // namespace mmoe::models
