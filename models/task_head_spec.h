#pragma once
// What a model needs to know about one task to build its tower, head and loss.
#include <cstdint>
#include <string>

#include "core/task_type.h"

namespace mmoe::models {

struct TaskHeadSpec {
  std::string name;
  TaskType type = TaskType::kMulticlass;
  int64_t output_dim = 2;        // classes (multiclass, multilabel) or outputs (regression)
  double loss_weight = 1.0;      // weight in the total loss
  double label_smoothing = 0.0;  // multiclass only
};

}  // namespace mmoe::models
