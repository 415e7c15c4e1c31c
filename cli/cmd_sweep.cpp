// mmoe sweep run FILE | status ID | best ID | run-trial ID INDEX  (docs/sweeps.md)
#include <unistd.h>

#include <climits>
#include <map>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/runs_commands.h"
#include "cli/stop_signals.h"
#include "experiments/config_loader.h"
#include "experiments/sweep_driver.h"
#include "experiments/sweep_parse.h"
#include "tracking/compare_report.h"
#include "tracking/store.h"
#include "tracking/text_table.h"
#include "trainer/train_error.h"
#include "trainer/train_run.h"

namespace mmoe::cli {
namespace {

struct SweepArgs {
  std::string out;              // report: output directory
  std::string format = "both";  // report: png | svg | both
  std::string file;
  std::string id;
  int64_t trial = 0;
  std::string store;
  std::string trial_store;  // run-trial: where the trial's run is written (default: --store)
  std::string executor = "local";
  bool dry_run = false;
};

std::string self_binary() {
  char path[PATH_MAX] = {};
  const ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  return n > 0 ? std::string(path, static_cast<std::size_t>(n)) : std::string("mmoe");
}

std::filesystem::path work_dir(const std::string& store) {
  return std::filesystem::absolute(store).parent_path() / "mmoe-sweeps";
}

std::string values_text(const experiments::TrialAssignment& assignment) {
  std::string text;
  for (const auto& o : experiments::to_overrides(assignment)) text += (text.empty() ? "" : " ") + o;
  return text;
}

struct LoadedSweep {
  tracking::SweepRecord record;
  experiments::SweepSpec spec;
  int64_t planned = 0;
};

LoadedSweep load_stored_sweep(const tracking::Store& store, const std::string& id) {
  const auto record = store.find_sweep(id);
  if (!record) {
    throw tracking::StoreError(fmt::format("no sweep '{}' in store '{}'; start one with: mmoe sweep run FILE --store {}",
                                           id, store.path().string(), store.path().string()));
  }
  LoadedSweep loaded{*record, experiments::stored_spec(*record), 0};
  loaded.planned = experiments::planned_trials(loaded.spec);
  return loaded;
}

std::string format_status(const LoadedSweep& sweep, const std::vector<experiments::TrialSummary>& trials,
                          const std::vector<tracking::SweepTrialRecord>& assignments) {
  std::map<std::string, int> counts;
  for (const auto& t : trials) ++counts[t.status];
  std::string summary;
  for (const auto& [status, n] : counts) summary += fmt::format("{}{} {}", summary.empty() ? "" : ", ", n, status);
  std::string out = fmt::format("sweep {} ({}): {} over {} trials, objective {} {}, status {}\ntrials: {}\n",
                                sweep.record.name, sweep.record.id, sweep.record.method, sweep.planned,
                                sweep.record.direction, sweep.record.metric, sweep.record.status, summary);
  tracking::TextTable table({"trial", "status", "run", "attempts", sweep.record.metric, "epoch", "values"});
  table.set_align(0, tracking::TextTable::Align::kRight);
  table.set_align(4, tracking::TextTable::Align::kRight);
  for (const auto& t : trials) {
    std::string values;
    for (const auto& a : assignments) {
      if (a.trial == t.trial) values = values_text(experiments::parse_assignment(a.assignment));
    }
    table.add_row({std::to_string(t.trial), t.status, t.run_id, std::to_string(t.runs),
                   t.objective ? fmt::format("{:.6f}", *t.objective) : "", t.objective ? std::to_string(t.objective_epoch) : "",
                   values});
  }
  return out + table.render();
}

int run_sweep(const SweepArgs& args) {
  const auto spec = experiments::load_sweep_file(args.file);  // every check before any trial starts
  experiments::SweepRunOptions options;
  options.store = args.store;
  options.mmoe_binary = self_binary();
  options.work_dir = work_dir(args.store);
  options.on_note = [](const std::string& line) { fmt::print("{}\n", line); };
  const std::string text = experiments::read_sweep_text(args.file);
  if (args.executor == "slurm") {
    const auto outcome = experiments::run_sweep_slurm(spec, text, options, !args.dry_run);
    fmt::print("sweep {} ({}): {}\n", spec.name, outcome.sweep_id, outcome.status);
    return kExitOk;
  }
  options.stop_requested = install_stop_signal_handlers().requested;
  const auto outcome = experiments::run_sweep_local(spec, text, options);
  const auto best = experiments::best_trial(outcome.trials, spec.direction);
  fmt::print("sweep {} ({}) {}: {} trial processes started", spec.name, outcome.sweep_id, outcome.status, outcome.launched);
  if (best) fmt::print("; best trial {} (run {}) {} {:.6f}", best->trial, best->run_id, spec.metric, *best->objective);
  fmt::print("\nstatus: mmoe sweep status {} --store {}\n", outcome.sweep_id, args.store);
  if (outcome.status == "interrupted") return kExitInterrupted;
  return outcome.status == "finished" ? kExitOk : kExitError;
}

int run_trial(const SweepArgs& args) {
  auto store = tracking::Store::open(args.store);
  const auto sweep = load_stored_sweep(store, args.id);
  if (args.trial >= sweep.planned) {
    throw experiments::SweepError(fmt::format("sweep {}: trial {} is out of range; it has trials 0 to {}",
                                              sweep.record.id, args.trial, sweep.planned - 1));
  }
  const auto& spec = sweep.spec;
  for (;;) {
    const auto trials = experiments::trial_summaries(store, sweep.record.id, spec, sweep.planned, false);
    const auto& t = trials[static_cast<std::size_t>(args.trial)];
    if (t.state == experiments::TrialState::kDone) {
      fmt::print("trial {} of sweep {} is done (run {}); nothing to do\n", t.trial, sweep.record.id, t.run_id);
      return kExitOk;
    }
    if (t.state == experiments::TrialState::kExhausted) {
      throw experiments::SweepError(fmt::format("trial {} of sweep {} failed {} times (max_retries {}); see mmoe sweep "
                                                "status {}", t.trial, sweep.record.id, t.failures, spec.max_retries,
                                                sweep.record.id));
    }
    const auto assignment = experiments::assign_trial(store, sweep.record.id, spec, args.trial, sweep.planned, false);
    auto overrides = experiments::to_overrides(assignment);
    overrides.push_back("tracking.store=" + (args.trial_store.empty() ? args.store : args.trial_store));
    const auto loaded = experiments::load_config_file(spec.base, overrides);
    trainer::TrainRunOptions options;
    options.command_line = fmt::format("mmoe sweep run-trial {} {} --store {}", sweep.record.id, args.trial, args.store);
    const auto signals = install_stop_signal_handlers();
    options.stop_requested = signals.requested;
    // An array task's SIGTERM / SIGUSR1 is the scheduler's: the run is preempted, resumable.
    options.stop_is_preemption = signals.preemption_test();
    options.sweep_id = sweep.record.id;
    options.trial = args.trial;
    options.on_note = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
    try {
      const auto result = trainer::run_training(loaded, options);
      fmt::print("trial {} of sweep {} finished: run {}\n", args.trial, sweep.record.id, result.run_id);
      return kExitOk;
    } catch (const trainer::TrainingInterrupted&) {
      throw;
    } catch (const mmoe::Error& e) {
      fmt::print(stderr, "trial {} failed: {}\n", args.trial, e.what());  // the loop retries while retries are left
      const auto after = experiments::trial_summaries(store, sweep.record.id, spec, sweep.planned, false);
      if (after[static_cast<std::size_t>(args.trial)].runs == t.runs) store.add_failed_launch(sweep.record.id, args.trial);
    }
  }
}

}  // namespace

void add_sweep_commands(CLI::App& app, const CommandContext& context, Action& action) {
  auto* sweep = app.add_subcommand("sweep", "Hyperparameter sweeps: trials are runs linked to the sweep (docs/sweeps.md)");
  sweep->require_subcommand(1);

  auto run_args = std::make_shared<SweepArgs>();
  auto* run = sweep->add_subcommand("run", "Run (or resume) the sweep a sweep file describes");
  run->add_option("file", run_args->file, "Sweep file (YAML)")->required();
  add_store_option(*run, run_args->store, context);
  run->add_option("--executor", run_args->executor, "local (child processes) or slurm (a job array)")
      ->capture_default_str()
      ->check(CLI::IsMember({"local", "slurm"}));
  run->add_flag("--dry-run", run_args->dry_run, "slurm: write the array script but do not submit it");
  run->callback([run_args, &action] { action = [run_args] { return run_sweep(*run_args); }; });

  auto status_args = std::make_shared<SweepArgs>();
  auto* status = sweep->add_subcommand("status", "Every trial of a sweep: status, run, objective, values");
  status->add_option("id", status_args->id, "Sweep id, unique id prefix, or name")->required();
  add_store_option(*status, status_args->store, context);
  status->callback([status_args, &action] {
    action = [status_args]() -> int {
      const auto store = tracking::Store::open_existing(status_args->store);
      const auto sweep = load_stored_sweep(store, status_args->id);
      const auto trials = experiments::trial_summaries(store, sweep.record.id, sweep.spec, sweep.planned, true);
      fmt::print("{}", format_status(sweep, trials, store.sweep_trials(sweep.record.id)));
      return kExitOk;
    };
  });

  auto best_args = std::make_shared<SweepArgs>();
  auto* best = sweep->add_subcommand("best", "The sweep's best trial by its objective");
  best->add_option("id", best_args->id, "Sweep id, unique id prefix, or name")->required();
  add_store_option(*best, best_args->store, context);
  best->callback([best_args, &action] {
    action = [best_args]() -> int {
      const auto store = tracking::Store::open_existing(best_args->store);
      const auto sweep = load_stored_sweep(store, best_args->id);
      const auto trials = experiments::trial_summaries(store, sweep.record.id, sweep.spec, sweep.planned, true);
      const auto found = experiments::best_trial(trials, sweep.spec.direction);
      if (!found) {
        throw experiments::SweepError(fmt::format("sweep {} has no finished trial with {} yet; see mmoe sweep status {}",
                                                  sweep.record.id, sweep.spec.metric, sweep.record.id));
      }
      std::string values;
      for (const auto& a : store.sweep_trials(sweep.record.id)) {
        if (a.trial == found->trial) values = values_text(experiments::parse_assignment(a.assignment));
      }
      fmt::print("trial {}\nrun {}\n{} {} at epoch {}\nvalues {}\n", found->trial, found->run_id, sweep.spec.metric,
                 *found->objective, found->objective_epoch, values);
      return kExitOk;
    };
  });

  auto report_args = std::make_shared<SweepArgs>();
  auto* report = sweep->add_subcommand(
      "report", "The objective against every swept hyperparameter, and the trials ranked (docs/report.md)");
  report->add_option("id", report_args->id, "Sweep id, unique id prefix, or name")->required();
  add_store_option(*report, report_args->store, context);
  report->add_option("--out", report_args->out, "Output directory (default sweep-report-<sweep id>)");
  report->add_option("--format", report_args->format, "png, svg or both")
      ->check(CLI::IsMember({"png", "svg", "both"}));
  report->callback([report_args, &action] {
    action = [report_args]() -> int {
      const auto store = tracking::Store::open_existing(report_args->store);
      const auto sweep = load_stored_sweep(store, report_args->id);
      const auto trials = experiments::trial_summaries(store, sweep.record.id, sweep.spec, sweep.planned, true);
      std::vector<std::string> runs;
      for (const auto& t : trials) {
        if (!t.run_id.empty()) runs.push_back(t.run_id);
      }
      if (runs.size() < 2) {
        throw experiments::SweepError(fmt::format("sweep {} has {} trial run(s); a report compares at least 2 (see mmoe "
                                                  "sweep status {})", sweep.record.id, runs.size(), sweep.record.id));
      }
      tracking::CompareReportOptions options;
      options.out_dir = report_args->out.empty() ? "sweep-report-" + sweep.record.id : report_args->out;
      options.formats = {tracking::PlotFormat::kPng, tracking::PlotFormat::kSvg};
      if (report_args->format != "both") {
        options.formats = {report_args->format == "png" ? tracking::PlotFormat::kPng : tracking::PlotFormat::kSvg};
      }
      options.metric = sweep.spec.metric;
      options.mode = sweep.spec.direction == experiments::Direction::kMin ? tracking::MetricMode::kMin
                                                                           : tracking::MetricMode::kMax;
      const auto written = tracking::write_compare_report(store, runs, options);
      fmt::print("sweep {} ({}): {} trials\n{}", sweep.spec.name, sweep.record.id, runs.size(),
                 tracking::format_compare_report(written));
      return kExitOk;
    };
  });

  auto trial_args = std::make_shared<SweepArgs>();
  auto* trial = sweep->add_subcommand("run-trial", "Run one trial of a recorded sweep (what each SLURM array task runs)");
  trial->add_option("id", trial_args->id, "Sweep id, unique id prefix, or name")->required();
  trial->add_option("index", trial_args->trial, "Trial index (0-based)")->required()->check(CLI::NonNegativeNumber);
  add_store_option(*trial, trial_args->store, context);
  trial->add_option("--trial-store", trial_args->trial_store,
                    "Write the trial's run to this store instead of --store (per-trial stores; merge them with "
                    "mmoe db merge)");
  trial->callback([trial_args, &action] { action = [trial_args] { return run_trial(*trial_args); }; });
}

}  // namespace mmoe::cli
