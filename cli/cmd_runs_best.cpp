// mmoe runs best --metric M [--experiment X] [--filter F] [--mode max|min] [--top N]
#include <fmt/format.h>

#include "cli/exit_codes.h"
#include "cli/runs_commands.h"
#include "tracking/metric_mode.h"
#include "tracking/run_format.h"
#include "tracking/store.h"

namespace mmoe::cli {
namespace {

struct BestArgs {
  std::string store;
  std::string metric;
  std::string experiment;
  std::string filter;
  std::string mode;
  int64_t top = 1;
  int64_t stale_minutes = 10;
  bool json = false;
};

}  // namespace

void add_runs_best_command(CLI::App& runs, const CommandContext& context, Action& action) {
  auto args = std::make_shared<BestArgs>();
  auto* best = runs.add_subcommand("best", "The run(s) with the best value of a metric over their epochs");
  best->add_option("--metric", args->metric, "Metric key, e.g. val_weighted_f1")->required();
  best->add_option("--experiment", args->experiment, "Only runs of this experiment");
  best->add_option("--filter", args->filter, "Only runs matching this filter expression");
  best->add_option("--mode", args->mode,
                   "max or min (default: the runs' monitor_mode when the metric is their monitor, else min "
                   "for loss/mae/mse/error names and max otherwise)")
      ->check(CLI::IsMember({"max", "min"}));
  best->add_option("--top", args->top, "How many runs to show")->capture_default_str()->check(CLI::PositiveNumber);
  add_store_option(*best, args->store, context);
  add_stale_option(*best, args->stale_minutes);
  best->add_flag("--json", args->json, "JSON instead of a table");
  best->callback([args, &action] {
    action = [args]() -> int {
      const auto store = tracking::Store::open_existing(args->store);
      tracking::BestRunQuery query;
      query.metric = args->metric;
      if (!args->experiment.empty()) query.experiment = args->experiment;
      query.where = args->filter;
      if (!args->mode.empty()) query.mode = tracking::parse_metric_mode(args->mode);
      query.top = args->top;
      query.stale_after = stale_after(args->stale_minutes);
      const auto found = store.best_runs(query);
      fmt::print("{}\n", args->json ? tracking::best_runs_to_json(found, args->metric)
                                    : tracking::format_best_runs(found, args->metric));
      return kExitOk;
    };
  });
}

}  // namespace mmoe::cli
