#include "models/task_gates.h"

namespace mmoe::models {

TaskGatesImpl::TaskGatesImpl(TaskGatesOptions options) : options_(options) {
  TORCH_CHECK(options_.num_tasks() >= 1, "TaskGates: num_tasks must be >= 1");
  TORCH_CHECK(options_.num_experts() >= 1, "TaskGates: num_experts must be >= 1");
  TORCH_CHECK(options_.temperature() > 0.0, "TaskGates: temperature must be > 0, got ",
              options_.temperature());
  reset();
}

void TaskGatesImpl::reset() {
  linear_ = register_module(
      "linear", torch::nn::Linear(options_.input_dim(), options_.num_tasks() * options_.num_experts()));
}

torch::Tensor TaskGatesImpl::forward(const torch::Tensor& x) {
  auto logits = linear_->forward(x).view({x.size(0), options_.num_tasks(), options_.num_experts()});
  if (options_.temperature() != 1.0) logits = logits / options_.temperature();
  return torch::softmax(logits, /*dim=*/2);
}

}  // namespace mmoe::models
