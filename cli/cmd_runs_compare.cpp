// mmoe runs compare ID ID ...
#include <fmt/format.h>

#include "cli/exit_codes.h"
#include "cli/runs_commands.h"
#include "tracking/run_compare.h"
#include "tracking/store.h"

namespace mmoe::cli {
namespace {

struct CompareArgs {
  std::string store;
  std::vector<std::string> ids;
  int64_t stale_minutes = 10;
  bool json = false;
};

}  // namespace

void add_runs_compare_command(CLI::App& runs, const CommandContext& context, Action& action) {
  auto args = std::make_shared<CompareArgs>();
  auto* compare = runs.add_subcommand("compare", "Params that differ and final metrics of runs, side by side");
  compare->add_option("ids", args->ids, "Two or more run ids (or unique prefixes)")->required()->expected(2, -1);
  add_store_option(*compare, args->store, context);
  add_stale_option(*compare, args->stale_minutes);
  compare->add_flag("--json", args->json, "JSON instead of tables");
  compare->callback([args, &action] {
    action = [args]() -> int {
      const auto store = tracking::Store::open_existing(args->store);
      std::vector<tracking::RunDetail> details;
      for (const std::string& id : args->ids) {
        details.push_back(store.get_run(id, stale_after(args->stale_minutes)));
      }
      const auto comparison = tracking::compare_runs(details);
      fmt::print("{}\n", args->json ? tracking::comparison_to_json(comparison)
                                    : tracking::format_comparison(comparison));
      return kExitOk;
    };
  });
}

}  // namespace mmoe::cli
