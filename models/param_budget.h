#pragma once
// Parameter counts and equal-budget baselines, for comparisons such as the MMoE paper's
// (an MMoE against a shared-bottom model with about as many parameters).
#include <cstdint>

#include "models/model_spec.h"

namespace mmoe::models {

// Trainable parameters of the model `spec` describes: builds it and sums numel over
// parameters(). Buffers (feature and target statistics, BatchNorm running statistics) are
// excluded; learned loss log-variances are included.
int64_t count_parameters(const ModelSpec& spec);

// For shared_bottom and single_task: scales every width of bottom_widths(spec) by one common
// factor and returns the spec (with bottom_hidden set) of the largest such network whose
// count_parameters is <= budget. The factor is n / max(widths) for an integer n, so the widest
// layer becomes n and every layer round(w * n / max) (at least 1); n is found by binary search,
// which is exact because the count never decreases with n. Throws c10::Error for another model
// type, or when even n = 1 (every width 1) exceeds the budget.
ModelSpec fit_to_parameter_budget(ModelSpec spec, int64_t budget);

}  // namespace mmoe::models
