#pragma once
// Independent single-task networks sharing only the input block (the "no sharing" baseline):
//   h        = input_block(x)            [B, D']
//   nets     = per task t an MLP of h    [T, B, H] (bottom_widths(spec), activation after every layer)
//   out_t    = tower_t(nets[t])          [B, C_t]
// No gates. The T networks are one FusedExperts with an expert per task (parameter names
// networks.weight_k, networks.bias_k; expert t is task t's network), so all of them run as one
// GEMM per layer; expert t's slice receives gradient from task t only.
#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "models/fused_experts.h"
#include "models/input_block.h"
#include "models/model_spec.h"
#include "models/multitask_model.h"

namespace mmoe::models {

class SingleTaskImpl : public MultiTaskModelImpl {
 public:
  explicit SingleTaskImpl(ModelSpec spec);
  void reset();

  ModelOutput forward(const torch::Tensor& x) override;
  GateLayout gate_layout() const override;            // no gates
  const std::vector<TaskHeadSpec>& tasks() const override { return spec_.tasks; }
  int64_t input_dim() const override { return spec_.input_dim; }

  const ModelSpec& spec() const { return spec_; }
  InputBlock& input_block() { return input_; }

 protected:
  ParameterGroups architecture_parameter_groups() const override;  // networks and towers in `towers`

 private:
  ModelSpec spec_;
  InputBlock input_{nullptr};
  FusedExperts networks_{nullptr};  // one expert per task: [T, B, H]
  torch::nn::ModuleList towers_;
};
TORCH_MODULE(SingleTask);

}  // namespace mmoe::models
