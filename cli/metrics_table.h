#pragma once
// The per-task metric table `mmoe train` and `mmoe eval` print.
#include <string>
#include <vector>

#include "trainer/task_metrics.h"

namespace mmoe::cli {

// One header line and one line per task, each starting with `indent`.
std::string format_metrics_table(const std::vector<std::string>& tasks, const std::vector<trainer::TaskScores>& scores,
                                 const std::string& indent = "  ");

}  // namespace mmoe::cli
