#pragma once
// Pure text of the console progress (console_progress.h): durations, the in-place bar, the
// periodic step line and the per-epoch summary lines. Unit-tested in tests/cli.
#include <cstdint>
#include <string>
#include <vector>

#include "experiments/config.h"
#include "trainer/epoch_report.h"

namespace mmoe::cli {

enum class ProgressStyle { kBar, kLines, kNone };

// train.progress: auto picks the bar when the progress stream is a terminal, else lines.
ProgressStyle resolve_progress_style(experiments::ProgressMode mode, bool stream_is_terminal);

// "0s", "59s", "1m05s", "59m59s", "1h00m", "25h01m" (rounded to the second); "--" when negative
// or not finite (nothing measured yet).
std::string format_duration(double seconds);

// Seconds left in the epoch at this step's pace: remaining steps times the mean step time so far;
// -1 when no step has been timed.
double epoch_eta_seconds(const trainer::StepProgress& progress);

// "[=====>    ]" with `width` cells between the brackets; `done` of `total` (clamped).
std::string format_bar(int64_t done, int64_t total, int width);

// The terminal line: "epoch 2/10 [=====>    ] 120/400 loss 0.4123 5230 rows/s eta 1m05s".
std::string format_bar_line(const trainer::StepProgress& progress, int bar_width);

// The plain line (pipes, SLURM logs):
// "epoch 2/10 step 120/400 loss 0.4123 lr 1.00e-03 5230 rows/s eta 1m05s".
std::string format_step_line(const trainer::StepProgress& progress);

// "loss 0.4100 acc 0.8700 wF1 0.8600" (classification), "loss 0.25 mae 0.39 rmse 0.50"
// (regression); the scores a task has, in that order.
std::string format_scores(const trainer::TaskScores& scores);

// After each epoch: one header line (losses, monitor, lr, grad norm, skipped steps, time), one
// line per task ("epoch 3/10 species  loss ... | val loss ..."), gate warnings, and the early stop.
std::vector<std::string> format_epoch_lines(const trainer::EpochReport& report);

}  // namespace mmoe::cli
