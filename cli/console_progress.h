#pragma once
// Progress for people: on a terminal, one line rewritten in place per step; otherwise (SLURM
// logs, pipes) plain lines every train.log_every_steps. One summary line per epoch, with each task.
#include <cstdio>

#include "trainer/epoch_report.h"

namespace mmoe::cli {

class ConsoleProgress final : public trainer::TrainingObserver {
 public:
  explicit ConsoleProgress(std::FILE* out);
  void on_step(const trainer::StepProgress& progress) override;
  void on_epoch(const trainer::EpochReport& report) override;

 private:
  std::FILE* out_;
  bool terminal_;
};

}  // namespace mmoe::cli
