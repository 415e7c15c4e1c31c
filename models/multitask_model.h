#pragma once
// The interface every multi-task architecture implements (MMoE, OMoE, shared-bottom, single-task,
// PLE), so the trainer, statistics, export and graph code never depend on one architecture.
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "models/model_spec.h"
#include "models/task_head_spec.h"

namespace mmoe::models {

struct ModelOutput {
  std::vector<torch::Tensor> task_outputs;  // per task [B, C_t]; regression in original units
  torch::Tensor gates;     // [B, G, E_g] the model's G gates (each over E_g experts); undefined if none
  torch::Tensor aux_loss;  // scalar auxiliary loss, already weighted (load balancing); undefined if none
};

// Which gates the model has and over which experts; describes ModelOutput::gates.
struct GateLayout {
  std::vector<std::string> gate_names;                 // per gate: a task name, or "shared" (OMoE)
  std::vector<std::vector<std::string>> expert_names;  // per gate, its E_g experts in order
  std::string description;  // e.g. "one softmax gate per task over 8 shared experts"; "no gates"
  bool has_gates() const { return !gate_names.empty(); }
};

// Optimizer groups; every parameter is in exactly one.
struct ParameterGroups {
  std::vector<torch::Tensor> shared;   // input block, shared bottom, anything shared that is not an expert
  std::vector<torch::Tensor> experts;  // expert networks (shared and task-specific)
  std::vector<torch::Tensor> gates;    // gate networks (incl. noise networks)
  std::vector<torch::Tensor> towers;   // task-specific towers and networks, loss log-variances
};

class MultiTaskModelImpl : public torch::nn::Module {
 public:
  // x [B, input_dim]
  virtual ModelOutput forward(const torch::Tensor& x) = 0;
  // The architecture's groups, plus the learned loss log-variances (uncertainty weighting) in
  // `towers`: every parameter is in exactly one group.
  ParameterGroups parameter_groups() const;
  virtual GateLayout gate_layout() const = 0;
  virtual const std::vector<TaskHeadSpec>& tasks() const = 0;
  virtual int64_t input_dim() const = 0;
  int64_t num_tasks() const { return static_cast<int64_t>(tasks().size()); }

  // The training objective from per-task losses (models/masked_loss.h):
  //   fixed        sum_t w_t L_t
  //   uncertainty  sum_t w_t (c_t exp(-s_t) L_t + c_t s_t), s_t = log sigma_t^2 learned,
  //                c_t = 1/2 for regression and 1 for classification (Kendall et al. 2018)
  // `rank_share` multiplies the loss-independent terms (c_t s_t): with W data-parallel ranks
  // whose per-task losses are shares of the global loss (they sum to it), 1/W makes the ranks'
  // totals sum to the global total instead of counting c_t s_t W times.
  torch::Tensor combine_task_losses(const std::vector<torch::Tensor>& per_task, double rank_share = 1.0) const;
  // [T] learned log-variances s_t; undefined with fixed weighting.
  const torch::Tensor& loss_log_variances() const { return loss_log_variances_; }

  // mean, std [input_dim] of the training split's features, for a model built with
  // standardize_features (stored as buffers of its "input" block and saved with it).
  // c10::Error when the model does not standardise its features or the sizes differ.
  void set_feature_statistics(const torch::Tensor& mean, const torch::Tensor& std);

 protected:
  // The architecture's own parameters by group (everything but the loss log-variances).
  virtual ParameterGroups architecture_parameter_groups() const = 0;
  // Every architecture calls this in reset(); registers "loss_log_variances" for uncertainty.
  void init_loss_weighting(LossWeighting weighting);

 private:
  torch::Tensor loss_log_variances_;
};

using MultiTaskModel = std::shared_ptr<MultiTaskModelImpl>;

}  // namespace mmoe::models
