// mmoe train CONFIG [key=value ...] [--resume auto|PATH]
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/console_progress.h"
#include "cli/exit_codes.h"
#include "cli/metrics_table.h"
#include "cli/stop_signals.h"
#include "experiments/config_loader.h"
#include "trainer/train_run.h"

namespace mmoe::cli {
namespace {

struct TrainArgs {
  std::string config_path;
  std::vector<std::string> overrides;
  bool print_config = false;
  std::string resume;
  std::string sweep_id;
  int64_t trial = -1;
};

void print_final_table(const trainer::TrainRunResult& result) {
  const auto& last = result.summary.last;
  const std::string stopped =
      result.summary.stopped_early ? fmt::format(" (stopped early after epoch {})", result.summary.stopped_epoch) : "";
  fmt::print("\nrun {} finished: {} epochs{}, best {} {:.4f} at epoch {}\n", result.run_id, result.summary.epochs_run,
             stopped, result.summary.monitor, result.summary.best_value, result.summary.best_epoch);
  fmt::print("store: {}\n", std::filesystem::absolute(result.store_path).string());
  fmt::print("checkpoints: {}\n", std::filesystem::absolute(result.checkpoint_dir).string());
  if (last.epoch > 0) {  // 0: a resumed run that had nothing left to train
    fmt::print("final validation metrics (epoch {}):\n", last.epoch);
    fmt::print("{}", format_metrics_table(last.tasks, last.val));
  }
  fmt::print("query it: mmoe runs show {} --store {}\n", result.run_id, result.store_path.string());
}

}  // namespace

void add_train_command(CLI::App& app, const CommandContext& context, Action& action) {
  auto args = std::make_shared<TrainArgs>();
  auto* cmd = app.add_subcommand("train", "Train a model from a YAML config and record the run in the store");
  cmd->add_option("config", args->config_path, "YAML config file (see docs/config.md)")->required();
  cmd->add_option("overrides", args->overrides, "section.key=value overrides; they beat the file")->expected(0, -1);
  cmd->add_flag("--print-config", args->print_config, "Print the resolved config and exit without training");
  cmd->add_option("--resume", args->resume,
                  "Continue a run from a checkpoint: 'auto' (the newest resumable one under train.checkpoint_dir, "
                  "else a new run) or a checkpoint directory (docs/checkpoints.md)");
  cmd->add_option("--sweep-id", args->sweep_id, "Record the run as a trial of this sweep (set by mmoe sweep)");
  cmd->add_option("--trial", args->trial, "The trial index within --sweep-id (set by mmoe sweep)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([args, context, &action] {
    action = [args, context]() -> int {
      const auto loaded = experiments::load_config_file(args->config_path, args->overrides);
      if (args->print_config) {
        fmt::print("# config hash {}\n{}", loaded.hash, loaded.resolved_yaml);
        return kExitOk;
      }
      ConsoleProgress progress(stderr, loaded.config.train.progress);
      trainer::TrainRunOptions options;
      options.command_line = context.command_line;
      const auto signals = install_stop_signal_handlers();
      options.stop_requested = signals.requested;
      options.stop_is_preemption = signals.preemption_test();
      options.console = &progress;
      options.resume = args->resume;
      if (args->sweep_id.empty() != (args->trial < 0)) {
        throw experiments::ConfigError("mmoe train: --sweep-id and --trial go together; give both or neither");
      }
      options.sweep_id = args->sweep_id;
      if (args->trial >= 0) options.trial = args->trial;
      options.on_note = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
      options.on_run_created = [&loaded](const std::string& id) {
        fmt::print(stderr, "run {} started (experiment '{}', store {})\n", id, loaded.config.tracking.experiment,
                   loaded.config.tracking.store);
      };
      options.on_rank_failure = [](const std::string& line) { fmt::print(stderr, "error: {}\n", line); };
      const auto result = trainer::run_training(loaded, options);
      if (result.rank == 0) print_final_table(result);
      return kExitOk;
    };
  });
}

}  // namespace mmoe::cli
