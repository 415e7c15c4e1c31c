#pragma once
// Writes a run's checkpoints at the end of every epoch (docs/checkpoints.md): 'best' when the
// epoch improved the monitored metric, then 'last', both in <train.checkpoint_dir>/<run id>/;
// and 'last' when asked (write_last: a stop signal).
// Only rank 0 writes (other ranks hold the same state).
#include <filesystem>
#include <string>

#include "trainer/epoch_report.h"
#include "trainer/trainer.h"

namespace mmoe::trainer {

struct CheckpointerOptions {
  std::filesystem::path run_dir;  // <train.checkpoint_dir>/<run id>
  std::string run_id;
  std::string config_yaml;  // resolved config
  std::string config_hash;
};

class Checkpointer final : public TrainingObserver {
 public:
  Checkpointer(Trainer& trainer, CheckpointerOptions options);
  void on_epoch(const EpochReport& report) override;
  // 'last' now, e.g. of the step a stop signal ended training at (mid-epoch).
  void write_last();

 private:
  Trainer& trainer_;
  CheckpointerOptions options_;
};

}  // namespace mmoe::trainer
