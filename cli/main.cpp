// mmoe: train MMoE heads on frozen-backbone features and query the experiment store.
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "core/build_info.h"
#include "core/error.h"
#include "core/heap_tuning.h"
#include "trainer/train_error.h"

#include <c10/util/Exception.h>

namespace {

// CLI11 reports "A subcommand is required" for `mmoe frobnicate`; name the word instead.
void reject_unknown_subcommand(const CLI::App& app, int argc, char** argv) {
  const CLI::App* level = &app;
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.empty() || word[0] == '-' || level->get_subcommands({}).empty()) return;
    const CLI::App* next = nullptr;
    std::string names;
    for (const auto* sub : level->get_subcommands({})) {
      names += (names.empty() ? "" : ", ") + sub->get_name();
      if (sub->get_name() == word) next = sub;
    }
    if (next == nullptr) {
      throw CLI::ExtrasError("unknown subcommand '" + word + "' (available: " + names + ")",
                             CLI::ExitCodes::ExtrasError);
    }
    level = next;
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mmoe::cli;
  mmoe::retain_freed_heap_memory();  // before LibTorch allocates anything large
  CLI::App app{"mmoe: train Multi-gate Mixture-of-Experts heads on frozen-backbone features,\n"
               "data-parallel, with every run recorded in an SQLite experiment store."};
  app.set_version_flag("--version", fmt::format("mmoe {} (commit {})", mmoe::build_info::kVersion,
                                                 *mmoe::build_info::kGitCommit ? mmoe::build_info::kGitCommit : "unknown"));
  app.require_subcommand(1);
  app.fallthrough(false);

  CommandContext context;
  const char* store_env = std::getenv("MMOE_STORE");
  context.default_store = store_env != nullptr && *store_env ? store_env : "mmoe_runs.db";
  for (int i = 0; i < argc; ++i) context.command_line += (i ? " " : "") + std::string(argv[i]);

  Action action;
  add_train_command(app, context, action);
  add_synth_command(app, action);
  add_runs_commands(app, context, action);
  add_model_commands(app, action);
  add_data_commands(app, action);
  add_db_commands(app, action);
  add_eval_command(app, context, action);
  add_predict_command(app, action);
  add_report_command(app, context, action);
  add_sweep_commands(app, context, action);
  add_cache_commands(app, action);

  try {
    reject_unknown_subcommand(app, argc, argv);
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "mmoe: usage error: " << e.what() << "\nRun 'mmoe --help' (or 'mmoe SUBCOMMAND --help') for usage.\n";
    return kExitUsage;
  }
  try {
    return action ? action() : kExitUsage;
  } catch (const mmoe::trainer::TrainingPreempted& e) {
    std::cerr << "mmoe: preempted: " << e.what() << "\n";
    return kExitPreempted;
  } catch (const mmoe::trainer::TrainingInterrupted& e) {
    std::cerr << "mmoe: interrupted: " << e.what() << "\n";
    return kExitInterrupted;
  } catch (const mmoe::Error& e) {
    std::cerr << "mmoe: error: " << e.what() << "\n";
    return kExitError;
  } catch (const c10::Error& e) {
    std::cerr << "mmoe: error: " << e.what_without_backtrace() << "\n";
    return kExitError;
  } catch (const std::exception& e) {
    std::cerr << "mmoe: error: " << e.what() << "\n";
    return kExitError;
  }
}
