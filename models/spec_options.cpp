#include "models/spec_options.h"

namespace mmoe::models {

InputBlockOptions input_block_options(const ModelSpec& spec) {
  return InputBlockOptions(spec.input_dim)
      .standardize(spec.standardize_features)
      .shared_dim(spec.shared_dim)
      .shared_dropout(spec.shared_dropout);
}

TaskGatesOptions gate_options(const GateSpec& gate, int64_t input_dim, int64_t num_gates, int64_t num_experts) {
  return TaskGatesOptions(input_dim, num_gates, num_experts)
      .temperature(gate.temperature)
      .top_k(gate.top_k)
      .noisy(gate.noisy)
      .load_balance_weight(gate.load_balance_weight);
}

std::vector<int64_t> bottom_widths(const ModelSpec& spec) {
  return spec.bottom_hidden.empty() ? spec.expert_hidden : spec.bottom_hidden;
}

}  // namespace mmoe::models
