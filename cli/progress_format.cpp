#include "cli/progress_format.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace mmoe::cli {

ProgressStyle resolve_progress_style(experiments::ProgressMode mode, bool stream_is_terminal) {
  switch (mode) {
    case experiments::ProgressMode::kBar: return ProgressStyle::kBar;
    case experiments::ProgressMode::kLines: return ProgressStyle::kLines;
    case experiments::ProgressMode::kNone: return ProgressStyle::kNone;
    case experiments::ProgressMode::kAuto: break;
  }
  return stream_is_terminal ? ProgressStyle::kBar : ProgressStyle::kLines;
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0.0) return "--";
  const auto total = static_cast<int64_t>(std::llround(seconds));
  if (total < 60) return fmt::format("{}s", total);
  if (total < 3600) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}h{:02}m", total / 3600, (total % 3600) / 60);
}

double epoch_eta_seconds(const trainer::StepProgress& p) {
  if (p.step_in_epoch <= 0 || !(p.epoch_elapsed_seconds > 0.0)) return -1.0;
  const double per_step = p.epoch_elapsed_seconds / static_cast<double>(p.step_in_epoch);
  return per_step * static_cast<double>(std::max<int64_t>(0, p.steps_in_epoch - p.step_in_epoch));
}

std::string format_bar(int64_t done, int64_t total, int width) {
  const int64_t clamped = std::clamp<int64_t>(done, 0, std::max<int64_t>(0, total));
  const int filled = total <= 0 ? 0 : static_cast<int>(clamped * width / total);
  std::string cells(static_cast<size_t>(width), ' ');
  for (int i = 0; i < filled; ++i) cells[static_cast<size_t>(i)] = '=';
  if (filled < width && clamped > 0) cells[static_cast<size_t>(filled)] = '>';
  return "[" + cells + "]";
}

namespace {

std::string loss_text(const trainer::StepProgress& p) {
  return p.skipped ? fmt::format("loss {} (skipped)", p.loss) : fmt::format("loss {:.4f}", p.loss);
}

}  // namespace

std::string format_bar_line(const trainer::StepProgress& p, int bar_width) {
  return fmt::format("epoch {}/{} {} {}/{} {} {:.0f} rows/s eta {}", p.epoch, p.epochs,
                     format_bar(p.step_in_epoch, p.steps_in_epoch, bar_width), p.step_in_epoch, p.steps_in_epoch,
                     loss_text(p), p.rows_per_second, format_duration(epoch_eta_seconds(p)));
}

std::string format_step_line(const trainer::StepProgress& p) {
  const std::string lr = p.learning_rates.empty() ? std::string() : fmt::format(" lr {:.2e}", p.learning_rates.front().second);
  return fmt::format("epoch {}/{} step {}/{} {}{} {:.0f} rows/s eta {}", p.epoch, p.epochs, p.step_in_epoch,
                     p.steps_in_epoch, loss_text(p), lr, p.rows_per_second, format_duration(epoch_eta_seconds(p)));
}

std::string format_scores(const trainer::TaskScores& s) {
  std::string text;
  const auto add = [&](const char* name, const std::optional<double>& value) {
    if (value) text += fmt::format("{}{} {:.4f}", text.empty() ? "" : " ", name, *value);
  };
  add("loss", s.loss);
  add("acc", s.accuracy);
  add("wF1", s.weighted_f1);
  if (!s.accuracy) add("miF1", s.micro_f1);
  add("mae", s.mae);
  add("rmse", s.rmse);
  return text.empty() ? "-" : text;
}

std::vector<std::string> format_epoch_lines(const trainer::EpochReport& r) {
  std::vector<std::string> lines;
  const std::string epoch = fmt::format("epoch {}/{}", r.epoch, r.epochs);
  // The monitored value follows val_loss unless it is val_loss itself.
  std::string header = fmt::format("{} train_loss {:.4f} val_loss {:.4f}", epoch, r.train_loss, r.val_loss);
  if (r.monitor != "val_loss") header += fmt::format(" {} {:.4f}", r.monitor, r.monitor_value);
  if (r.is_best) header += " (best)";
  if (!r.learning_rates.empty()) header += fmt::format(" lr {:.2e}", r.learning_rates.front().second);
  if (r.grad_norm) header += fmt::format(" grad_norm {:.3g}", *r.grad_norm);
  if (r.skipped_steps > 0) header += fmt::format(" skipped_steps {}", r.skipped_steps);
  header += fmt::format(" {:.1f}s {:.0f} rows/s", r.epoch_seconds, r.rows_per_second);
  lines.push_back(header);
  size_t width = 0;
  for (const auto& task : r.tasks) width = std::max(width, task.size());
  for (size_t t = 0; t < r.tasks.size(); ++t) {
    std::string line = fmt::format("{} {:<{}}  {}", epoch, r.tasks[t], width,
                                   t < r.train.size() ? format_scores(r.train[t]) : std::string("-"));
    line += " | val " + (t < r.val.size() ? format_scores(r.val[t]) : std::string("-"));
    for (size_t g = 0; g < r.gate_names.size() && g < r.gates.size(); ++g) {
      if (r.gate_names[g] == r.tasks[t] && !r.gates[g].utilization.empty()) {
        line += fmt::format(" gate_entropy {:.2f}", r.gates[g].entropy_normalized);
      }
    }
    lines.push_back(line);
  }
  for (const auto& warning : r.gate_warnings) lines.push_back("  warning: " + warning);
  if (r.early_stop) {
    lines.push_back(fmt::format("early stopping: {} has not improved for train.early_stopping_patience epochs; "
                                "training ends after epoch {}",
                                r.monitor, r.epoch));
  }
  return lines;
}

}  // namespace mmoe::cli
