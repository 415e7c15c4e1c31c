#include "cli/metrics_table.h"

#include <fmt/format.h>

namespace mmoe::cli {
namespace {

std::string format_optional(const std::optional<double>& value) {
  return value ? fmt::format("{:.4f}", *value) : std::string("-");
}

}  // namespace

std::string format_metrics_table(const std::vector<std::string>& tasks, const std::vector<trainer::TaskScores>& scores,
                                 const std::string& indent) {
  std::string text = fmt::format("{}{:<12} {:>9} {:>8} {:>9} {:>11} {:>9} {:>9} {:>8} {:>8}\n", indent, "task",
                                 "labelled", "loss", "accuracy", "weighted_f1", "macro_f1", "micro_f1", "mae", "rmse");
  for (size_t t = 0; t < tasks.size(); ++t) {
    const auto& v = scores[t];
    text += fmt::format("{}{:<12} {:>9} {:>8} {:>9} {:>11} {:>9} {:>9} {:>8} {:>8}\n", indent, tasks[t],
                        v.labelled_rows, format_optional(v.loss), format_optional(v.accuracy),
                        format_optional(v.weighted_f1), format_optional(v.macro_f1), format_optional(v.micro_f1),
                        format_optional(v.mae), format_optional(v.rmse));
  }
  return text;
}

}  // namespace mmoe::cli
