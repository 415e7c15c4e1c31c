#pragma once
// Progress for people on one stream (mmoe train uses stderr, so stdout keeps only the final
// table). train.progress: `bar` redraws one line in place ('\r') with epoch, step/steps, loss,
// rows/s and the epoch's ETA, at most every 0.1 s; `lines` writes a plain line every
// train.log_every_steps steps and never a carriage return (SLURM logs, pipes); `none` writes no
// step progress; `auto` is `bar` when the stream is a terminal (isatty), else `lines`. Every
// style writes the epoch summary lines (progress_format.h) and notes.
#include <chrono>
#include <cstdio>

#include "cli/progress_format.h"
#include "trainer/epoch_report.h"

namespace mmoe::cli {

class ConsoleProgress final : public trainer::TrainingObserver {
 public:
  ConsoleProgress(std::FILE* out, experiments::ProgressMode mode);
  ~ConsoleProgress() override;  // ends a drawn bar's line (training failed mid-epoch)
  ConsoleProgress(const ConsoleProgress&) = delete;
  ConsoleProgress& operator=(const ConsoleProgress&) = delete;
  void on_step(const trainer::StepProgress& progress) override;
  void on_epoch(const trainer::EpochReport& report) override;
  void on_note(const std::string& note) override;

  ProgressStyle style() const { return style_; }

 private:
  void clear_bar();
  std::FILE* out_;
  ProgressStyle style_;
  size_t bar_length_ = 0;  // characters of the bar on screen; 0: none drawn
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace mmoe::cli
