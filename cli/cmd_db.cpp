// mmoe db merge A.db B.db ... --into C.db
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "tracking/store.h"

namespace mmoe::cli {
namespace {

struct MergeArgs {
  std::vector<std::string> sources;
  std::string into;
  bool json = false;
};

}  // namespace

void add_db_commands(CLI::App& app, Action& action) {
  auto* db = app.add_subcommand("db", "Maintain experiment store files");
  db->require_subcommand(1);
  auto args = std::make_shared<MergeArgs>();
  auto* merge = db->add_subcommand(
      "merge", "Copy the experiments and runs of stores into one (each source all or nothing)");
  merge->add_option("sources", args->sources, "Stores to copy from")->required();
  merge->add_option("--into", args->into, "Target store; created when missing")->required();
  merge->add_flag("--json", args->json, "JSON report instead of text");
  merge->callback([args, &action] {
    action = [args]() -> int {
      auto target = tracking::Store::open(args->into);
      nlohmann::ordered_json report = nlohmann::ordered_json::array();
      for (const std::string& source : args->sources) {
        const auto merged = target.merge_from(source);
        if (args->json) {
          report.push_back({{"source", source},
                            {"runs_copied", merged.runs_copied},
                            {"runs_identical", merged.runs_identical},
                            {"experiments_created", merged.experiments_created}});
        } else {
          fmt::print("{}: {} run(s) copied, {} already in '{}' (identical), {} experiment(s) created\n",
                     source, merged.runs_copied, merged.runs_identical, args->into,
                     merged.experiments_created);
        }
      }
      if (args->json) fmt::print("{}\n", report.dump(2));
      return kExitOk;
    };
  });
}

}  // namespace mmoe::cli
