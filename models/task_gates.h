#pragma once
// One softmax gate per task over E experts, computed for all tasks with one GEMM:
// gates = softmax((x W + b) / temperature) per task.
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
};

class TaskGatesImpl : public torch::nn::Module {
 public:
  explicit TaskGatesImpl(TaskGatesOptions options);
  void reset();

  // x [B, D] -> gate weights [B, T, E], each [b, t, :] sums to 1
  torch::Tensor forward(const torch::Tensor& x);

  const TaskGatesOptions& options() const { return options_; }

 private:
  TaskGatesOptions options_;
  torch::nn::Linear linear_{nullptr};  // D -> T*E
};
TORCH_MODULE(TaskGates);

}  // namespace mmoe::models
