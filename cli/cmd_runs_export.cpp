// mmoe runs export --format csv|json|jsonl [--filter F] [--out FILE]
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/exit_codes.h"
#include "cli/runs_commands.h"
#include "core/error.h"
#include "tracking/run_export_format.h"
#include "tracking/store.h"

namespace mmoe::cli {
namespace {

struct ExportArgs {
  std::string store;
  std::string format = "csv";
  std::string experiment;
  std::string filter;
  std::string sort;
  std::string out;
  int64_t limit = 0;
  int64_t stale_minutes = 10;
};

// Writes `text` to `path` through a temporary file in the same directory and a rename, so that
// a reader never sees half a file.
void write_file(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      throw mmoe::Error(fmt::format("cannot write export file '{}'; check that its directory exists "
                                    "and is writable",
                                    path.string()));
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    throw mmoe::Error(fmt::format("cannot write export file '{}': {}", path.string(), error.message()));
  }
}

}  // namespace

void add_runs_export_command(CLI::App& runs, const CommandContext& context, Action& action) {
  auto args = std::make_shared<ExportArgs>();
  auto* command = runs.add_subcommand("export", "Runs with params and final metrics as CSV, JSON or JSON lines");
  command->add_option("--format", args->format, "csv, json or jsonl")
      ->capture_default_str()
      ->check(CLI::IsMember({"csv", "json", "jsonl"}));
  command->add_option("--experiment", args->experiment, "Only runs of this experiment");
  command->add_option("--filter", args->filter, "Only runs matching this filter expression");
  command->add_option("--sort", args->sort, "Sort key, '-' first for descending (default: newest first)");
  command->add_option("--limit", args->limit, "At most this many runs (0: all)")->capture_default_str();
  command->add_option("--out", args->out, "Write to this file instead of standard output");
  add_store_option(*command, args->store, context);
  add_stale_option(*command, args->stale_minutes);
  command->callback([args, &action] {
    action = [args]() -> int {
      const auto store = tracking::Store::open_existing(args->store);
      tracking::RunFilter filter;
      if (!args->experiment.empty()) filter.experiment = args->experiment;
      filter.where = args->filter;
      filter.sort = args->sort;
      filter.limit = args->limit;
      filter.stale_after = stale_after(args->stale_minutes);
      const std::string text =
          tracking::export_runs_text(store.export_runs(filter), *tracking::parse_export_format(args->format));
      if (args->out.empty()) {
        std::fwrite(text.data(), 1, text.size(), stdout);
      } else {
        write_file(args->out, text);
      }
      return kExitOk;
    };
  });
}

}  // namespace mmoe::cli
