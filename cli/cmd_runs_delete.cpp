// mmoe runs delete ID... [--yes]
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "cli/exit_codes.h"
#include "cli/runs_commands.h"
#include "core/error.h"
#include "tracking/store.h"

namespace mmoe::cli {
namespace {

struct DeleteArgs {
  std::string store;
  std::vector<std::string> ids;
  bool yes = false;
};

}  // namespace

void add_runs_delete_command(CLI::App& runs, const CommandContext& context, Action& action) {
  auto args = std::make_shared<DeleteArgs>();
  auto* command = runs.add_subcommand("delete", "Delete runs and everything logged for them");
  command->add_option("ids", args->ids, "Run ids (or unique prefixes)")->required();
  command->add_flag("--yes,-y", args->yes, "Do not ask (required when standard input is not a terminal)");
  add_store_option(*command, args->store, context);
  command->callback([args, &action] {
    action = [args]() -> int {
      auto store = tracking::Store::open_existing(args->store);
      if (!args->yes) {
        std::string listed;
        for (const std::string& id : args->ids) {
          const auto run = store.get_run(id).summary;  // unknown ids fail here, before asking
          listed += fmt::format("  {}  {} / {}  {}\n", run.id, run.experiment, run.name, display_status(run));
        }
        if (isatty(STDIN_FILENO) == 0) {
          throw mmoe::Error(fmt::format(
              "refusing to delete {} run(s) from '{}' without --yes: standard input is not a terminal",
              args->ids.size(), args->store));
        }
        fmt::print("{}delete these {} run(s) and all their rows? [y/N] ", listed, args->ids.size());
        std::fflush(stdout);
        std::string answer;
        std::getline(std::cin, answer);
        if (answer != "y" && answer != "Y" && answer != "yes") {
          fmt::print("nothing deleted\n");
          return kExitOk;
        }
      }
      const auto deleted = store.delete_runs(args->ids);
      for (const std::string& id : deleted) fmt::print("deleted {}\n", id);
      return kExitOk;
    };
  });
}

}  // namespace mmoe::cli
