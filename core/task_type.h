#pragma once
// The three kinds of task a dataset can carry; shared by data/ (label storage) and models/ (heads).
#include <optional>
#include <string_view>

namespace mmoe {

// Label encodings in memory (the tensors data/ produces and models/ consumes):
//   kMulticlass  int64 [B], class id in [0, C), -1 = missing
//   kMultilabel  float32 [B, C] of 0/1, a row of NaN = missing
//   kRegression  float32 [B, K], NaN = missing (a row counts as labelled when all K are finite)
enum class TaskType { kMulticlass, kMultilabel, kRegression };

const char* to_string(TaskType type);                           // "multiclass", ...
std::optional<TaskType> parse_task_type(std::string_view name);  // inverse; nullopt if unknown

}  // namespace mmoe
