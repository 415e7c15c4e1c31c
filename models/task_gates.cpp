#include "models/task_gates.h"

namespace mmoe::models {
namespace {

// logits [B, T, E] -> [B, T, E] with the softmax of the k largest logits of each (row, task)
// scattered to their experts and zeros elsewhere.
torch::Tensor top_k_softmax(const torch::Tensor& logits, int64_t k) {
  const auto top = logits.topk(k, /*dim=*/2);  // values, indices [B, T, k]
  const auto kept = torch::softmax(std::get<0>(top), /*dim=*/2);
  return torch::zeros_like(logits).scatter(2, std::get<1>(top), kept);
}

// Switch Transformer load balancing, averaged over tasks; probabilities [B, T, E] dense.
torch::Tensor load_balance_loss(const torch::Tensor& logits, const torch::Tensor& probabilities) {
  const int64_t experts = logits.size(2);
  torch::Tensor routed_fraction;  // [T, E]
  {
    torch::NoGradGuard no_grad;
    routed_fraction = torch::one_hot(logits.argmax(2), experts).to(probabilities.scalar_type()).mean(0);
  }
  const auto mean_probability = probabilities.mean(0);  // [T, E]
  return static_cast<double>(experts) * (routed_fraction * mean_probability).sum(1).mean();
}

}  // namespace

TaskGatesImpl::TaskGatesImpl(TaskGatesOptions options) : options_(options) {
  TORCH_CHECK(options_.num_tasks() >= 1, "TaskGates: num_tasks must be >= 1");
  TORCH_CHECK(options_.num_experts() >= 1, "TaskGates: num_experts must be >= 1");
  TORCH_CHECK(options_.temperature() > 0.0, "TaskGates: temperature must be > 0, got ",
              options_.temperature());
  TORCH_CHECK(options_.top_k() >= 0 && options_.top_k() <= options_.num_experts(),
              "TaskGates: top_k must be 0 (dense) or in [1, ", options_.num_experts(), "], got ",
              options_.top_k());
  TORCH_CHECK(options_.load_balance_weight() >= 0.0, "TaskGates: load_balance_weight must be >= 0, got ",
              options_.load_balance_weight());
  reset();
}

void TaskGatesImpl::reset() {
  const int64_t cells = options_.num_tasks() * options_.num_experts();
  linear_ = register_module("linear", torch::nn::Linear(options_.input_dim(), cells));
  if (options_.noisy()) {
    noise_ = register_module("noise", torch::nn::Linear(options_.input_dim(), cells));
    torch::NoGradGuard no_grad;
    noise_->weight.zero_();
  }
}

GateResult TaskGatesImpl::forward(const torch::Tensor& x) {
  const std::vector<int64_t> shape = {x.size(0), options_.num_tasks(), options_.num_experts()};
  auto logits = linear_->forward(x).view(shape);  // [B, T, E]
  if (noise_ && is_training()) {
    const auto scale = torch::softplus(noise_->forward(x)).view(shape);
    logits = logits + torch::randn_like(logits) * scale;
  }
  if (options_.temperature() != 1.0) logits = logits / options_.temperature();

  GateResult result;
  const bool sparse = options_.top_k() > 0 && options_.top_k() < options_.num_experts();
  const bool balance = options_.load_balance_weight() > 0.0;
  torch::Tensor dense;
  if (!sparse || balance) dense = torch::softmax(logits, /*dim=*/2);
  result.weights = sparse ? top_k_softmax(logits, options_.top_k()) : dense;
  if (balance) result.aux_loss = options_.load_balance_weight() * load_balance_loss(logits, dense);
  return result;
}

}  // namespace mmoe::models
