#pragma once
// Running a sweep: record it in the store (or find it again: re-running a sweep resumes it),
// then launch its pending trials with an executor (docs/sweeps.md).
//   local: up to `parallelism` concurrent `mmoe train` child processes (posix_spawn), each a run
//          with the sweep id and trial index, its values passed as overrides; the executor
//          watches the store and stops poor trials with SIGINT (early termination).
//   slurm: writes a job array script (one trial per array task, `%parallelism`) and submits it
//          with sbatch; each array task runs `mmoe sweep run-trial SWEEP_ID INDEX`.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "experiments/sweep_spec.h"
#include "experiments/sweep_trials.h"

namespace mmoe::tracking {
class Store;
}

namespace mmoe::experiments {

struct SweepRunOptions {
  std::filesystem::path store;        // the experiment store every trial writes to
  std::string mmoe_binary;            // the mmoe executable trials run
  std::filesystem::path work_dir;     // logs and scripts: <work_dir>/<sweep id>/
  const std::atomic<bool>* stop_requested = nullptr;  // set: stop the trials, end the sweep 'interrupted'
  std::function<void(const std::string& line)> on_note;  // progress lines for people; may be empty
  std::chrono::milliseconds poll_interval{200};
};

struct SweepOutcome {
  std::string sweep_id;
  std::string status;  // "finished", "failed" (a trial exhausted its retries), "interrupted", "submitted"
  int64_t launched = 0;  // trial processes started by this call (slurm: array tasks submitted)
  std::vector<TrialSummary> trials;
};

// The sweep's id: a new sweep when the store has none of this name, the same one when it has
// and its stored file text equals `spec_text`; SweepError when the text differs.
std::string open_sweep(tracking::Store& store, const SweepSpec& spec, const std::string& spec_text);

// A sweep's spec from its stored text (base resolved against the stored source's directory).
SweepSpec stored_spec(const tracking::SweepRecord& record);

// summarize_trials over the store's runs and trial rows of the sweep.
std::vector<TrialSummary> trial_summaries(const tracking::Store& store, const std::string& sweep_id,
                                          const SweepSpec& spec, int64_t planned, bool running_is_live);

// The values of `trial`: those stored already, else suggested now (from the done trials) and stored.
TrialAssignment assign_trial(tracking::Store& store, const std::string& sweep_id, const SweepSpec& spec, int64_t trial,
                             int64_t planned, bool running_is_live);

SweepOutcome run_sweep_local(const SweepSpec& spec, const std::string& spec_text, const SweepRunOptions& options);

// The job array script for the given trials (pure; the slurm executor writes it).
std::string slurm_array_script(const std::string& sweep_id, const std::string& sweep_name,
                               const std::vector<int64_t>& trials, int64_t parallelism,
                               const std::filesystem::path& store, const std::string& mmoe_binary,
                               const std::filesystem::path& log_dir);
// Writes the script to <work_dir>/<sweep id>/sweep.sbatch and submits it with sbatch. With
// `submit` false (--dry-run), only writes it. SweepError when sbatch is missing or fails.
SweepOutcome run_sweep_slurm(const SweepSpec& spec, const std::string& spec_text, const SweepRunOptions& options,
                             bool submit);

}  // namespace mmoe::experiments
