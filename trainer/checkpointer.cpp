#include "trainer/checkpointer.h"

#include "models/model_spec_text.h"

namespace mmoe::trainer {

Checkpointer::Checkpointer(Trainer& trainer, CheckpointerOptions options)
    : trainer_(trainer), options_(std::move(options)) {}

void Checkpointer::on_epoch(const EpochReport& report) {
  Checkpoint checkpoint;
  checkpoint.info.run_id = options_.run_id;
  checkpoint.info.config_hash = options_.config_hash;
  checkpoint.config_yaml = options_.config_yaml;
  checkpoint.model_spec_text = models::model_spec_to_text(trainer_.model_spec());
  checkpoint.state = trainer_.capture_state();
  // 'best' first: a crash before 'last' is written resumes from the previous epoch and redoes
  // this one, rewriting the same 'best'.
  if (report.is_best) write_checkpoint(options_.run_dir, CheckpointKind::kBest, checkpoint);
  write_checkpoint(options_.run_dir, CheckpointKind::kLast, checkpoint);
}

}  // namespace mmoe::trainer
