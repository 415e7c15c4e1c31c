// mmoe runs list | show (and the registration of compare, best, export, delete)
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/runs_commands.h"
#include "tracking/run_format.h"
#include "tracking/store.h"

namespace mmoe::cli {
namespace {

struct ListArgs {
  std::string store;
  std::string experiment;
  std::string status;
  std::string filter;
  std::string sort;
  int64_t limit = 50;
  int64_t stale_minutes = 10;
  bool json = false;
};

struct ShowArgs {
  std::string store;
  std::string run_id;
  int64_t stale_minutes = 10;
  bool json = false;
};

// --status: a stored status, or "stale" (running without a recent heartbeat); "running" means
// running and not stale.
void apply_status(const std::string& text, tracking::RunFilter& filter) {
  if (text.empty()) return;
  if (text == "stale" || text == "running") {
    filter.status = tracking::RunStatus::kRunning;
    filter.stale = text == "stale";
    return;
  }
  for (auto status : {tracking::RunStatus::kFinished, tracking::RunStatus::kFailed,
                      tracking::RunStatus::kInterrupted, tracking::RunStatus::kPreempted}) {
    if (text == tracking::to_string(status)) filter.status = status;
  }
}

}  // namespace

void add_store_option(CLI::App& command, std::string& store, const CommandContext& context) {
  store = context.default_store;
  command.add_option("--store", store, "Store file ($MMOE_STORE or mmoe_runs.db)")->capture_default_str();
}

void add_stale_option(CLI::App& command, int64_t& minutes) {
  command
      .add_option("--stale-after", minutes,
                  "Show a running run as 'stale' when its last heartbeat is older than this many minutes")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
}

std::chrono::seconds stale_after(int64_t minutes) { return std::chrono::minutes(minutes); }

void add_runs_commands(CLI::App& app, const CommandContext& context, Action& action) {
  auto* runs = app.add_subcommand("runs", "Query the experiment store");
  runs->require_subcommand(1);

  auto list_args = std::make_shared<ListArgs>();
  auto* list = runs->add_subcommand("list", "List runs, newest first (or as --sort says)");
  add_store_option(*list, list_args->store, context);
  list->add_option("--experiment", list_args->experiment, "Only runs of this experiment");
  list->add_option("--status", list_args->status, "Only runs with this status ('running' excludes stale runs)")
      ->check(CLI::IsMember({"running", "stale", "finished", "failed", "interrupted", "preempted"}));
  list->add_option("--filter", list_args->filter,
                   "Filter expression, e.g. 'params.model.num_experts >= 8 and metrics.val_weighted_f1 > 0.8' "
                   "(docs/store.md)");
  list->add_option("--sort", list_args->sort, "Sort key of the filter language, '-' first for descending, "
                                              "e.g. -metrics.val_weighted_f1");
  list->add_option("--limit", list_args->limit, "At most this many runs (0: all)")->capture_default_str();
  add_stale_option(*list, list_args->stale_minutes);
  list->add_flag("--json", list_args->json, "JSON instead of a table");
  list->callback([list_args, &action] {
    action = [args = list_args]() -> int {
      const auto store = tracking::Store::open_existing(args->store);
      tracking::RunFilter filter;
      if (!args->experiment.empty()) filter.experiment = args->experiment;
      apply_status(args->status, filter);
      filter.where = args->filter;
      filter.sort = args->sort;
      filter.limit = args->limit;
      filter.stale_after = stale_after(args->stale_minutes);
      const auto found = store.list_runs(filter);
      fmt::print("{}\n", args->json ? tracking::runs_to_json(found) : tracking::format_run_table(found));
      return kExitOk;
    };
  });

  auto show_args = std::make_shared<ShowArgs>();
  auto* show = runs->add_subcommand("show", "Show one run: config, epochs, final metrics, classes, gates");
  show->add_option("id", show_args->run_id, "Run id or a unique prefix of it")->required();
  add_store_option(*show, show_args->store, context);
  add_stale_option(*show, show_args->stale_minutes);
  show->add_flag("--json", show_args->json, "JSON instead of text");
  show->callback([show_args, &action] {
    action = [args = show_args]() -> int {
      const auto store = tracking::Store::open_existing(args->store);
      const auto run = store.get_run(args->run_id, stale_after(args->stale_minutes));
      fmt::print("{}\n", args->json ? tracking::run_detail_to_json(run) : tracking::format_run_detail(run));
      return kExitOk;
    };
  });

  add_runs_compare_command(*runs, context, action);
  add_runs_best_command(*runs, context, action);
  add_runs_export_command(*runs, context, action);
  add_runs_delete_command(*runs, context, action);
  add_runs_export_moe_commands(*runs, context, action);
}

}  // namespace mmoe::cli
