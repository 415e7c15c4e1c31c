#pragma once
// Multi-gate Mixture-of-Experts (Ma et al., KDD 2018):
//   h       = input_block(x)                             [B, D']
//   experts = FusedExperts(h)                            [E, B, H]
//   gates   = softmax per task over experts of h         [B, T, E]
//   mixed_t = sum_e gates[:, t, e] * experts[e]          [B, T, H] (one bmm)
//   out_t   = tower_t(mixed_t)                           [B, C_t]
#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "models/fused_experts.h"
#include "models/input_block.h"
#include "models/mlp_tower.h"
#include "models/model_spec.h"
#include "models/multitask_model.h"
#include "models/task_gates.h"

namespace mmoe::models {

class MmoeImpl : public MultiTaskModelImpl {
 public:
  explicit MmoeImpl(ModelSpec spec);
  void reset();

  ModelOutput forward(const torch::Tensor& x) override;
  GateLayout gate_layout() const override;
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
  TaskGates gates_{nullptr};
  torch::nn::ModuleList towers_;
};
TORCH_MODULE(Mmoe);

// Checks a spec the way every architecture needs it (tasks, widths, dropout, gate options);
// throws c10::Error naming the field. The config layer reports the same mistakes to users first.
void check_common_spec(const ModelSpec& spec);

}  // namespace mmoe::models
