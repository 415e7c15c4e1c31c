#pragma once
// The building blocks' options as every architecture derives them from a ModelSpec, in one place.
#include <cstdint>
#include <vector>

#include "models/input_block.h"
#include "models/model_spec.h"
#include "models/task_gates.h"

namespace mmoe::models {

// Feature standardisation and the optional shared layer, from spec.input_dim on.
InputBlockOptions input_block_options(const ModelSpec& spec);

// `num_gates` softmax gates over `num_experts` experts reading a [B, input_dim] input, with the
// spec's temperature, top-k, noise and load balancing.
TaskGatesOptions gate_options(const GateSpec& gate, int64_t input_dim, int64_t num_gates, int64_t num_experts);

// The widths of the shared bottom (shared_bottom) or of each task's network (single_task):
// spec.bottom_hidden, or spec.expert_hidden when that is empty.
std::vector<int64_t> bottom_widths(const ModelSpec& spec);

}  // namespace mmoe::models
