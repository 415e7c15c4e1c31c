#pragma once
// Progressive Layered Extraction (Tang et al., RecSys 2020): spec.ple.levels CGC (Customized
// Gate Control) levels, each with m = task_experts own experts per task and s = shared_experts
// shared experts (MLPs with expert_hidden), then a tower per task.
//
//   level 1:   every expert and gate reads h = input_block(x)                     [B, D']
//   level k>1: task t's experts and gate read task t's output of level k-1       [B, H]
//              the shared experts (and shared gate) read the shared output of level k-1
//   task t:    out_t  = sum_j g_t[j] * [own experts of t, shared experts][j]      [B, H]
//              g_t    = softmax over the m + s experts (spec.gate: temperature, top-k, noise)
//   shared:    (levels before the last) out_s = sum_j g_s[j] * all T*m + s experts of the level
//   towers:    tower_t(final level's out_t)                                       [B, C_t]
//
// All experts of a level are one FusedExperts (task t's experts are [t*m, (t+1)*m), the shared
// ones last): one GEMM per layer at level 1, one batched GEMM per layer at later levels. Gates
// are TaskGates with one task each (a level's task gates read different inputs after level 1).
// ModelOutput::gates holds the final level's task gates [B, T, m + s]; the auxiliary loss is the
// mean of the load-balancing losses of all gates of all levels.
//
// Parameter names: levels.<k>.experts.*, levels.<k>.task_gates.<t>.*, levels.<k>.shared_gate.*
// (not at the final level), towers.<t>.*, input.*.
#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "models/activation.h"
#include "models/fused_experts.h"
#include "models/input_block.h"
#include "models/model_spec.h"
#include "models/multitask_model.h"
#include "models/task_gates.h"

namespace mmoe::models {

struct CgcLevelOptions {
  CgcLevelOptions(int64_t input_dim, int64_t num_tasks, int64_t task_experts, int64_t shared_experts,
                  std::vector<int64_t> hidden)
      : input_dim_(input_dim),
        num_tasks_(num_tasks),
        task_experts_(task_experts),
        shared_experts_(shared_experts),
        hidden_(std::move(hidden)) {}
  TORCH_ARG(int64_t, input_dim);
  TORCH_ARG(int64_t, num_tasks);
  TORCH_ARG(int64_t, task_experts);    // m, per task
  TORCH_ARG(int64_t, shared_experts);  // s
  TORCH_ARG(std::vector<int64_t>, hidden);  // expert widths; the last is the level's output size
  TORCH_ARG(Activation, activation) = Activation::kRelu;
  TORCH_ARG(double, dropout) = 0.0;  // expert dropout
  TORCH_ARG(GateSpec, gate) = {};
  TORCH_ARG(bool, shared_gate) = false;  // true for every level but the last
};

struct CgcOutput {
  torch::Tensor task;        // [T, B, H] each task's mixture
  torch::Tensor shared;      // [B, H] the shared mixture; undefined without a shared gate
  torch::Tensor task_gates;  // [B, T, m + s] over [own experts, shared experts]
  torch::Tensor aux_loss;    // sum of the level's gates' load-balancing losses; undefined when off
};

class CgcLevelImpl : public torch::nn::Module {
 public:
  explicit CgcLevelImpl(CgcLevelOptions options);
  void reset();

  // First level: every expert and gate reads x [B, D].
  CgcOutput forward(const torch::Tensor& x);
  // Later levels: task t's experts and gate read task_in[t] ([T, B, D]); shared ones shared_in [B, D].
  CgcOutput forward_grouped(const torch::Tensor& task_in, const torch::Tensor& shared_in);

  std::vector<torch::Tensor> expert_parameters() const { return experts_->parameters(); }
  std::vector<torch::Tensor> gate_parameters() const;
  const CgcLevelOptions& options() const { return options_; }

 private:
  // expert_out [T*m + s, B, H]; gate inputs task_in [T, B, D], shared_in [B, D]
  CgcOutput mix(const torch::Tensor& expert_out, const torch::Tensor& task_in, const torch::Tensor& shared_in);

  CgcLevelOptions options_;
  FusedExperts experts_{nullptr};
  torch::nn::ModuleList task_gates_;  // T TaskGates, one task each, over m + s experts
  TaskGates shared_gate_{nullptr};    // over all T*m + s experts; only with options.shared_gate
};
TORCH_MODULE(CgcLevel);

class PleImpl : public MultiTaskModelImpl {
 public:
  explicit PleImpl(ModelSpec spec);
  void reset();

  ModelOutput forward(const torch::Tensor& x) override;  // gates [B, T, m + s] of the final level
  GateLayout gate_layout() const override;  // per task: "<task>.0".., "shared.0"..
  const std::vector<TaskHeadSpec>& tasks() const override { return spec_.tasks; }
  int64_t input_dim() const override { return spec_.input_dim; }

  const ModelSpec& spec() const { return spec_; }
  InputBlock& input_block() { return input_; }

 protected:
  ParameterGroups architecture_parameter_groups() const override;

 private:
  ModelSpec spec_;
  InputBlock input_{nullptr};
  torch::nn::ModuleList levels_;  // CgcLevel per level
  torch::nn::ModuleList towers_;
};
TORCH_MODULE(Ple);

}  // namespace mmoe::models
