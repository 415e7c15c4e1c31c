#pragma once
// Shared-bottom multi-task network (Caruana 1997), the baseline of the MMoE paper:
//   h      = input_block(x)         [B, D']
//   bottom = MLP(h)                 [B, H] (bottom_widths(spec), activation after every layer)
//   out_t  = tower_t(bottom)        [B, C_t]
// No gates. The bottom is a FusedExperts with one expert (parameter names bottom.weight_k,
// bottom.bias_k, layout as in models/fused_experts.h), so it is initialised like Linear layers.
#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "models/fused_experts.h"
#include "models/input_block.h"
#include "models/model_spec.h"
#include "models/multitask_model.h"

namespace mmoe::models {

class SharedBottomImpl : public MultiTaskModelImpl {
 public:
  explicit SharedBottomImpl(ModelSpec spec);
  void reset();

  ModelOutput forward(const torch::Tensor& x) override;
  GateLayout gate_layout() const override;            // no gates
  const std::vector<TaskHeadSpec>& tasks() const override { return spec_.tasks; }
  int64_t input_dim() const override { return spec_.input_dim; }

  const ModelSpec& spec() const { return spec_; }
  InputBlock& input_block() { return input_; }

 protected:
  ParameterGroups architecture_parameter_groups() const override;  // bottom in `shared`

 private:
  ModelSpec spec_;
  InputBlock input_{nullptr};
  FusedExperts bottom_{nullptr};  // one expert: [1, B, H]
  torch::nn::ModuleList towers_;
};
TORCH_MODULE(SharedBottom);

}  // namespace mmoe::models
