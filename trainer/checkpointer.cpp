#include "trainer/checkpointer.h"

#include "models/model_spec_text.h"

namespace mmoe::trainer {

Checkpointer::Checkpointer(Trainer& trainer, CheckpointerOptions options)
    : trainer_(trainer), options_(std::move(options)) {}

namespace {

Checkpoint make_checkpoint(Trainer& trainer, const CheckpointerOptions& options) {
  Checkpoint checkpoint;
  checkpoint.info.run_id = options.run_id;
  checkpoint.info.config_hash = options.config_hash;
  checkpoint.config_yaml = options.config_yaml;
  checkpoint.model_spec_text = models::model_spec_to_text(trainer.model_spec());
  checkpoint.state = trainer.capture_state();
  return checkpoint;
}

}  // namespace

void Checkpointer::write_last() {
  write_checkpoint(options_.run_dir, CheckpointKind::kLast, make_checkpoint(trainer_, options_));
}

void Checkpointer::on_epoch(const EpochReport& report) {
  const auto checkpoint = make_checkpoint(trainer_, options_);
  // 'best' first: a crash before 'last' is written resumes from the previous epoch and redoes
  // this one, rewriting the same 'best'.
  if (report.is_best) write_checkpoint(options_.run_dir, CheckpointKind::kBest, checkpoint);
  write_checkpoint(options_.run_dir, CheckpointKind::kLast, checkpoint);
}

}  // namespace mmoe::trainer
