#pragma once
// One gate per task over E experts, computed for all tasks with one GEMM:
//   h      = x W + b                                     [B, T, E] (clean logits)
//   h     += N(0, 1) * softplus(x W_noise + b_noise)     training only, when noisy
//   logits = h / temperature
//   dense:  gates = softmax(logits) per (row, task)
//   top-k:  gates = softmax over the k largest logits of each (row, task), 0 elsewhere
// Noisy top-k gating follows Shazeer et al. 2017 ("Outrageously Large Neural Networks"); W_noise
// starts at zero, so the noise scale starts at softplus(b_noise). The optional load-balancing
// loss follows the Switch Transformer (Fedus et al. 2021), per task gate t:
//   f_te = fraction of rows whose top-1 expert is e (no gradient)
//   P_te = mean over rows of softmax(logits)[e] (the dense probabilities, also with top-k)
//   aux  = load_balance_weight * mean_t E * sum_e f_te P_te      (= weight for uniform routing)
#include <cstdint>

#include <torch/torch.h>

namespace mmoe::models {

struct TaskGatesOptions {
  TaskGatesOptions(int64_t input_dim, int64_t num_tasks, int64_t num_experts)
      : input_dim_(input_dim), num_tasks_(num_tasks), num_experts_(num_experts) {}
  TORCH_ARG(int64_t, input_dim);
  TORCH_ARG(int64_t, num_tasks);
  TORCH_ARG(int64_t, num_experts);
  TORCH_ARG(double, temperature) = 1.0;  // > 0; larger flattens the gate distribution
  TORCH_ARG(int64_t, top_k) = 0;         // 0: dense softmax; 1..E: keep the k largest, renormalised
  TORCH_ARG(bool, noisy) = false;        // add learned Gaussian noise to the logits in training
  TORCH_ARG(double, load_balance_weight) = 0.0;  // >= 0; 0: no auxiliary loss
};

struct GateResult {
  torch::Tensor weights;   // [B, T, E], each [b, t, :] sums to 1 (at most k nonzero with top-k)
  torch::Tensor aux_loss;  // scalar load-balancing loss, already weighted; undefined when off
};

class TaskGatesImpl : public torch::nn::Module {
 public:
  explicit TaskGatesImpl(TaskGatesOptions options);
  void reset();

  // x [B, D] -> gate weights [B, T, E] and the auxiliary loss
  GateResult forward(const torch::Tensor& x);

  const TaskGatesOptions& options() const { return options_; }

 private:
  TaskGatesOptions options_;
  torch::nn::Linear linear_{nullptr};  // D -> T*E
  torch::nn::Linear noise_{nullptr};   // D -> T*E noise scale before softplus; only when noisy
};
TORCH_MODULE(TaskGates);

}  // namespace mmoe::models
