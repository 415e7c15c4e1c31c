#pragma once
// One `mmoe train` invocation end to end: discover the world, prepare the trainer (every check
// that can fail on bad input happens here, before a run exists), record the run, train, and
// always end the run as finished, failed (with the error) or interrupted.
#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "experiments/config_loader.h"
#include "trainer/epoch_report.h"

namespace mmoe::trainer {

// The run tag holding the absolute train.checkpoint_dir its checkpoints are written under (in
// <that>/<run id>/); set when the run is created.
inline constexpr const char* kCheckpointRootTag = "mmoe.checkpoint_root";

struct TrainRunOptions {
  std::string command_line;
  const std::atomic<bool>* stop_requested = nullptr;
  TrainingObserver* console = nullptr;                                // progress for people; may be null
  std::function<void(const std::string& run_id)> on_run_created;     // may be empty
  // Empty: a new run. "auto": the newest resumable checkpoint under train.checkpoint_dir
  // (trainer/resume.h), or a new run when there is none. Otherwise a checkpoint path: the run
  // continues under its id (CheckpointError when it does not fit the config).
  std::string resume;
  std::function<void(const std::string& line)> on_note;  // one-line notes for people; may be empty
  // A trial of a sweep (mmoe sweep): recorded in runs.sweep_id and runs.trial. Empty: none.
  std::string sweep_id;
  std::optional<int64_t> trial;
};

struct TrainRunResult {
  std::string run_id;
  std::filesystem::path store_path;
  std::filesystem::path checkpoint_dir;  // <train.checkpoint_dir>/<run id>
  int64_t resumed_from_epoch = -1;       // -1: a new run
  TrainSummary summary;
};

// Rethrows whatever stopped training after marking the run failed or interrupted.
TrainRunResult run_training(const experiments::LoadedConfig& loaded, const TrainRunOptions& options);

}  // namespace mmoe::trainer
