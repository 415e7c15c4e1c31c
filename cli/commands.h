#pragma once
// Subcommand registration: each adds its CLI11 subcommand and sets `action` to run it.
#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace mmoe::cli {

struct CommandContext {
  std::string default_store;  // $MMOE_STORE or mmoe_runs.db
  std::string command_line;   // argv joined, recorded with runs
};

using Action = std::function<int()>;

void add_train_command(CLI::App& app, const CommandContext& context, Action& action);
void add_synth_command(CLI::App& app, Action& action);
void add_runs_commands(CLI::App& app, const CommandContext& context, Action& action);
void add_model_commands(CLI::App& app, Action& action);
void add_data_commands(CLI::App& app, Action& action);
void add_db_commands(CLI::App& app, Action& action);
void add_eval_command(CLI::App& app, const CommandContext& context, Action& action);
void add_predict_command(CLI::App& app, Action& action);
void add_report_command(CLI::App& app, const CommandContext& context, Action& action);  // cmd_report.cpp
void add_sweep_commands(CLI::App& app, const CommandContext& context, Action& action);  // cmd_sweep.cpp
void add_cache_commands(CLI::App& app, Action& action);

}  // namespace mmoe::cli
