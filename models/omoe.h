#pragma once
// One-gate Mixture-of-Experts (the OMoE baseline of Ma et al., KDD 2018): as MMoE, but a single
// gate shared by all tasks, so every task's tower reads the same mixture:
//   h       = input_block(x)                             [B, D']
//   experts = FusedExperts(h)                            [E, B, H]
//   gate    = softmax over experts of h                  [B, 1, E]
//   mixed   = sum_e gate[:, 0, e] * experts[e]           [B, H] (one bmm)
//   out_t   = tower_t(mixed)                             [B, C_t]
#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "models/fused_experts.h"
#include "models/input_block.h"
#include "models/model_spec.h"
#include "models/multitask_model.h"
#include "models/task_gates.h"

namespace mmoe::models {

class OmoeImpl : public MultiTaskModelImpl {
 public:
  explicit OmoeImpl(ModelSpec spec);
  void reset();

  ModelOutput forward(const torch::Tensor& x) override;  // gates [B, 1, E]
  GateLayout gate_layout() const override;  // one gate named "shared"
  const std::vector<TaskHeadSpec>& tasks() const override { return spec_.tasks; }
  int64_t input_dim() const override { return spec_.input_dim; }

  const ModelSpec& spec() const { return spec_; }
  InputBlock& input_block() { return input_; }

 protected:
  ParameterGroups architecture_parameter_groups() const override;

 private:
  ModelSpec spec_;
  InputBlock input_{nullptr};
  FusedExperts experts_{nullptr};
  TaskGates gate_{nullptr};  // num_tasks 1
  torch::nn::ModuleList towers_;
};
TORCH_MODULE(Omoe);

}  // namespace mmoe::models
