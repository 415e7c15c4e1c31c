// The sweep's record in the store, its trials' values, and the slurm executor (see
// sweep_driver.h); the local executor is in sweep_local_executor.cpp.
#include "experiments/sweep_driver.h"

#include <fstream>

#include <fmt/format.h>

#include "experiments/child_process.h"
#include "experiments/sweep_parse.h"
#include "tracking/store.h"

namespace mmoe::experiments {

std::string open_sweep(tracking::Store& store, const SweepSpec& spec, const std::string& spec_text) {
  if (const auto existing = store.find_sweep(spec.name); existing && existing->name == spec.name) {
    if (existing->spec_text != spec_text) {
      throw SweepError(fmt::format(
          "{}: name: store '{}' has a sweep '{}' (id {}) from a different sweep file; give this one a new name, or "
          "restore the file to resume that sweep",
          spec.source.string(), store.path().string(), spec.name, existing->id));
    }
    return existing->id;
  }
  tracking::NewSweep sweep;
  sweep.name = spec.name;
  sweep.spec_text = spec_text;
  sweep.source = std::filesystem::absolute(spec.source).lexically_normal().string();
  sweep.method = to_string(spec.method);
  sweep.metric = spec.metric;
  sweep.direction = to_string(spec.direction);
  return store.create_sweep(sweep);
}

SweepSpec stored_spec(const tracking::SweepRecord& record) {
  const std::filesystem::path source(record.source);
  SweepSpec spec = parse_sweep_text(record.spec_text, record.source, source.parent_path());
  validate_against_base(spec);
  return spec;
}

std::vector<TrialSummary> trial_summaries(const tracking::Store& store, const std::string& sweep_id,
                                          const SweepSpec& spec, int64_t planned, bool running_is_live) {
  return summarize_trials(store.sweep_runs(sweep_id, spec.metric), store.sweep_trials(sweep_id), planned,
                          spec.max_retries, spec.direction, running_is_live);
}

TrialAssignment assign_trial(tracking::Store& store, const std::string& sweep_id, const SweepSpec& spec, int64_t trial,
                             int64_t planned, bool running_is_live) {
  const auto assignments = store.sweep_trials(sweep_id);
  for (const auto& a : assignments) {
    if (a.trial == trial) return parse_assignment(a.assignment);
  }
  const auto summaries = trial_summaries(store, sweep_id, spec, planned, running_is_live);
  const auto suggestion = suggest_trial(spec, trial, completed_trials(summaries, assignments));
  return parse_assignment(store.record_sweep_trial(sweep_id, trial, format_assignment(suggestion)));
}

std::string slurm_array_script(const std::string& sweep_id, const std::string& sweep_name,
                               const std::vector<int64_t>& trials, int64_t parallelism,
                               const std::filesystem::path& store, const std::string& mmoe_binary,
                               const std::filesystem::path& log_dir) {
  std::string indices;
  for (const int64_t t : trials) indices += (indices.empty() ? "" : ",") + std::to_string(t);
  return fmt::format(
      "#!/usr/bin/env bash\n"
      "#SBATCH --job-name=mmoe-sweep-{name}\n"
      "#SBATCH --array={indices}%{parallelism}\n"
      "#SBATCH --ntasks=1\n"
      "#SBATCH --output={logs}/trial-%a-%A.out\n"
      "# Sweep '{name}' ({id}): one trial per array task. Written by `mmoe sweep run --executor slurm`;\n"
      "# partition, account, time and resources come from sbatch options or SBATCH_* variables.\n"
      "set -euo pipefail\n"
      "if [ -z \"${{SLURM_ARRAY_TASK_ID:-}}\" ]; then\n"
      "  echo \"sweep.sbatch: not inside a SLURM array job; submit it with: sbatch $0\" >&2\n"
      "  exit 2\n"
      "fi\n"
      "export OPENBLAS_NUM_THREADS=${{OPENBLAS_NUM_THREADS:-${{SLURM_CPUS_PER_TASK:-1}}}}\n"
      "export OMP_NUM_THREADS=${{OMP_NUM_THREADS:-1}}\n"
      "exec srun --ntasks=1 '{binary}' sweep run-trial {id} \"$SLURM_ARRAY_TASK_ID\" --store '{store}'\n",
      fmt::arg("name", sweep_name), fmt::arg("indices", indices), fmt::arg("parallelism", parallelism),
      fmt::arg("logs", log_dir.string()), fmt::arg("id", sweep_id), fmt::arg("binary", mmoe_binary),
      fmt::arg("store", store.string()));
}

SweepOutcome run_sweep_slurm(const SweepSpec& spec, const std::string& spec_text, const SweepRunOptions& options,
                             bool submit) {
  auto store = tracking::Store::open(options.store);
  SweepOutcome outcome;
  outcome.sweep_id = open_sweep(store, spec, spec_text);
  const int64_t planned = planned_trials(spec);
  outcome.trials = trial_summaries(store, outcome.sweep_id, spec, planned, true);
  std::vector<int64_t> pending;
  for (const auto& t : outcome.trials) {
    if (t.state == TrialState::kPending) pending.push_back(t.trial);
  }
  if (pending.empty()) {
    outcome.status = "finished";
    return outcome;
  }
  const auto dir = std::filesystem::absolute(options.work_dir / outcome.sweep_id);
  std::filesystem::create_directories(dir);
  const auto script = dir / "sweep.sbatch";
  std::ofstream(script) << slurm_array_script(outcome.sweep_id, spec.name, pending, spec.parallelism,
                                              std::filesystem::absolute(options.store), options.mmoe_binary, dir);
  if (options.on_note) options.on_note(fmt::format("wrote {} ({} array tasks)", script.string(), pending.size()));
  outcome.status = "written";
  if (!submit) return outcome;
  const auto log = dir / "sbatch.log";
  const pid_t pid = spawn_process({"sbatch", script.string()}, log);
  const auto code = reap_process(pid, true);
  if (!code || *code != 0) {
    throw SweepError(fmt::format("sbatch {} failed (exit {}); see {}", script.string(), code.value_or(-1),
                                 log.string()));
  }
  outcome.launched = static_cast<int64_t>(pending.size());
  outcome.status = "submitted";
  return outcome;
}

}  // namespace mmoe::experiments
