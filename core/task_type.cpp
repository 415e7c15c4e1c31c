#include "core/task_type.h"

namespace mmoe {

const char* to_string(TaskType type) {
  switch (type) {
    case TaskType::kMulticlass: return "multiclass";
    case TaskType::kMultilabel: return "multilabel";
    case TaskType::kRegression: return "regression";
  }
  return "unknown";
}

std::optional<TaskType> parse_task_type(std::string_view name) {
  if (name == "multiclass") return TaskType::kMulticlass;
  if (name == "multilabel") return TaskType::kMultilabel;
  if (name == "regression") return TaskType::kRegression;
  return std::nullopt;
}

}  // namespace mmoe
