#include "cli/console_progress.h"

#include <unistd.h>

#include <fmt/format.h>

namespace mmoe::cli {

ConsoleProgress::ConsoleProgress(std::FILE* out) : out_(out), terminal_(isatty(fileno(out)) != 0) {}

void ConsoleProgress::on_step(const trainer::StepProgress& p) {
  const double remaining_steps = static_cast<double>(p.steps_in_epoch - p.step_in_epoch);
  const double seconds_per_step = p.epoch_elapsed_seconds / static_cast<double>(std::max<int64_t>(1, p.step_in_epoch));
  const std::string line = fmt::format("epoch {}/{} step {}/{} loss {:.4f} {:.0f} rows/s eta {:.0f}s", p.epoch,
                                       p.epochs, p.step_in_epoch, p.steps_in_epoch, p.loss, p.rows_per_second,
                                       remaining_steps * seconds_per_step);
  if (terminal_) {
    fmt::print(out_, "\r{:<78}", line);
  } else {
    fmt::print(out_, "{}\n", line);
  }
  std::fflush(out_);
}

void ConsoleProgress::on_epoch(const trainer::EpochReport& r) {
  if (terminal_) fmt::print(out_, "\r{:<78}\r", "");
  // The monitored value follows val_loss unless it is val_loss itself.
  const std::string monitor =
      r.monitor == "val_loss" ? std::string() : fmt::format(" {} {:.4f}", r.monitor, r.monitor_value);
  fmt::print(out_, "epoch {}/{} train_loss {:.4f} val_loss {:.4f}{}{} lr {:.2e} {:.1f}s {:.0f} rows/s\n",
             r.epoch, r.epochs, r.train_loss, r.val_loss, monitor, r.is_best ? " (best)" : "",
             r.learning_rates.empty() ? 0.0 : r.learning_rates.front().second, r.epoch_seconds, r.rows_per_second);
  for (size_t t = 0; t < r.tasks.size(); ++t) {
    const auto& v = r.val[t];
    std::string scores;
    if (v.weighted_f1) scores += fmt::format(" weighted_f1 {:.4f}", *v.weighted_f1);
    if (v.accuracy) scores += fmt::format(" accuracy {:.4f}", *v.accuracy);
    if (v.micro_f1 && !v.accuracy) scores += fmt::format(" micro_f1 {:.4f}", *v.micro_f1);
    if (v.mae) scores += fmt::format(" mae {:.4f} rmse {:.4f}", *v.mae, v.rmse.value_or(0.0));
    if (v.loss) scores += fmt::format(" loss {:.4f}", *v.loss);
    std::string gate;
    for (size_t g = 0; g < r.gate_names.size(); ++g) {
      if (r.gate_names[g] == r.tasks[t] && !r.gates[g].utilization.empty()) {
        gate = fmt::format(" gate_entropy {:.2f}", r.gates[g].entropy_normalized);
      }
    }
    fmt::print(out_, "  {:<12}{}{}\n", r.tasks[t], scores, gate);
  }
  for (const auto& warning : r.gate_warnings) fmt::print(out_, "  warning: {}\n", warning);
  std::fflush(out_);
}

}  // namespace mmoe::cli
