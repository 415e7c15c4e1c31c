// mmoe runs list | show
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "tracking/run_format.h"
#include "tracking/store.h"

namespace mmoe::cli {
namespace {

struct RunsArgs {
  std::string store;
  std::string experiment;
  std::string status;
  int64_t limit = 50;
  bool json = false;
  std::string run_id;
};

std::optional<tracking::RunStatus> parse_status(const std::string& text) {
  for (auto status : {tracking::RunStatus::kRunning, tracking::RunStatus::kFinished, tracking::RunStatus::kFailed,
                      tracking::RunStatus::kInterrupted}) {
    if (text == tracking::to_string(status)) return status;
  }
  return std::nullopt;
}

}  // namespace

void add_runs_commands(CLI::App& app, const CommandContext& context, Action& action) {
  auto args = std::make_shared<RunsArgs>();
  args->store = context.default_store;
  auto* runs = app.add_subcommand("runs", "Query the experiment store");
  runs->require_subcommand(1);

  auto* list = runs->add_subcommand("list", "List runs, newest first");
  list->add_option("--store", args->store, "Store file ($MMOE_STORE or mmoe_runs.db)")->capture_default_str();
  list->add_option("--experiment", args->experiment, "Only runs of this experiment");
  list->add_option("--status", args->status, "Only runs with this status")
      ->check(CLI::IsMember({"running", "finished", "failed", "interrupted"}));
  list->add_option("--limit", args->limit, "At most this many runs (0: all)")->capture_default_str();
  list->add_flag("--json", args->json, "JSON instead of a table");
  list->callback([args, &action] {
    action = [args]() -> int {
      const auto store = tracking::Store::open_existing(args->store);
      tracking::RunFilter filter;
      if (!args->experiment.empty()) filter.experiment = args->experiment;
      if (!args->status.empty()) filter.status = parse_status(args->status);
      filter.limit = args->limit;
      const auto runs = store.list_runs(filter);
      fmt::print("{}\n", args->json ? tracking::runs_to_json(runs) : tracking::format_run_table(runs));
      return kExitOk;
    };
  });

  auto* show = runs->add_subcommand("show", "Show one run: config, epochs, final metrics, gates");
  show->add_option("id", args->run_id, "Run id or a unique prefix of it")->required();
  show->add_option("--store", args->store, "Store file ($MMOE_STORE or mmoe_runs.db)")->capture_default_str();
  show->add_flag("--json", args->json, "JSON instead of text");
  show->callback([args, &action] {
    action = [args]() -> int {
      const auto store = tracking::Store::open_existing(args->store);
      const auto run = store.get_run(args->run_id);
      fmt::print("{}\n", args->json ? tracking::run_detail_to_json(run) : tracking::format_run_detail(run));
      return kExitOk;
    };
  });
}

}  // namespace mmoe::cli
