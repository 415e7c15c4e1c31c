#pragma once
// A task as a dataset describes it: name, type, and class names or number of outputs.
#include <cstdint>
#include <string>
#include <vector>

#include "core/task_type.h"

namespace mmoe::data {

struct TaskSchema {
  std::string name;
  TaskType type = TaskType::kMulticlass;
  std::vector<std::string> class_names;  // multiclass / multilabel: C names
  int64_t num_outputs = 1;               // regression: K

  // C for classification tasks, K for regression.
  int64_t output_dim() const {
    return type == TaskType::kRegression ? num_outputs : static_cast<int64_t>(class_names.size());
  }
};

}  // namespace mmoe::data
