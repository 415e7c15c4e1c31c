#pragma once
// The `mmoe runs` subcommands, registered on the `runs` app by add_runs_commands (cmd_runs.cpp).
#include <CLI/CLI.hpp>
#include <chrono>
#include <string>

#include "cli/commands.h"

namespace mmoe::cli {

// --store with its default ($MMOE_STORE or mmoe_runs.db).
void add_store_option(CLI::App& command, std::string& store, const CommandContext& context);
// --stale-after MINUTES (default 10): running runs without a heartbeat for longer show as stale.
void add_stale_option(CLI::App& command, int64_t& minutes);
std::chrono::seconds stale_after(int64_t minutes);

void add_runs_compare_command(CLI::App& runs, const CommandContext& context, Action& action);  // cmd_runs_compare.cpp
void add_runs_best_command(CLI::App& runs, const CommandContext& context, Action& action);     // cmd_runs_best.cpp
void add_runs_export_command(CLI::App& runs, const CommandContext& context, Action& action);   // cmd_runs_export.cpp
void add_runs_delete_command(CLI::App& runs, const CommandContext& context, Action& action);   // cmd_runs_delete.cpp
// export-moe and export-mlflow (cmd_runs_export_moe.cpp)
void add_runs_export_moe_commands(CLI::App& runs, const CommandContext& context, Action& action);

}  // namespace mmoe::cli
