#pragma once
// One `mmoe train` invocation end to end: discover the world, prepare the trainer (every check
// that can fail on bad input happens here, before a run exists), record the run, train, and
// always end the run as finished, failed (with the error) or interrupted.
//
// Under mpirun / srun every rank calls it (docs/distributed.md): rank 0 alone opens the store,
// creates or resumes the run and writes checkpoints; the run id and the checkpoint to resume
// are broadcast to the others. Console progress, notes and on_run_created come from rank 0
// only. A rank that fails reports through on_rank_failure and then aborts the job (so no rank
// waits forever in a collective); rank 0 first marks the run failed when the failure is its own
// (e.g. a collective that timed out because another rank died).
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
  // Called when a stop request ends training: true records the run as preempted (and throws
  // TrainingPreempted), false (or empty) as interrupted. Either way rank 0 first writes a 'last'
  // checkpoint of the step training stopped at.
  std::function<bool()> stop_is_preemption;
  TrainingObserver* console = nullptr;                                // progress for people; may be null
  std::function<void(const std::string& run_id)> on_run_created;     // may be empty
  // Empty: a new run. "auto": the newest resumable checkpoint under train.checkpoint_dir
  // (trainer/resume.h), or a new run when there is none. Otherwise a checkpoint path: the run
  // continues under its id (CheckpointError when it does not fit the config).
  std::string resume;
  std::function<void(const std::string& line)> on_note;  // one-line notes for people; may be empty
  // With several ranks: called with "rank R failed: <error>" just before this rank aborts the
  // job (nothing runs after the abort, so print it here). May be empty.
  std::function<void(const std::string& line)> on_rank_failure;
  // A trial of a sweep (mmoe sweep): recorded in runs.sweep_id and runs.trial. Empty: none.
  std::string sweep_id;
  std::optional<int64_t> trial;
};

struct TrainRunResult {
  std::string run_id;
  std::filesystem::path store_path;
  std::filesystem::path checkpoint_dir;  // <train.checkpoint_dir>/<run id>
  int64_t resumed_from_epoch = -1;       // -1: a new run
  int64_t rank = 0;                      // this process's rank, of world_size
  int64_t world_size = 1;
  TrainSummary summary;
};

// Rethrows whatever stopped training after marking the run failed or interrupted.
TrainRunResult run_training(const experiments::LoadedConfig& loaded, const TrainRunOptions& options);

}  // namespace mmoe::trainer
