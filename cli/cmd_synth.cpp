// mmoe synth --kind attributes --out DIR [...]
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "data/synth_attributes.h"

namespace mmoe::cli {
namespace {

struct SynthArgs {
  std::string kind = "attributes";
  std::string out_dir;
  data::SynthAttributesOptions options;
};

}  // namespace

void add_synth_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<SynthArgs>();
  auto* cmd = app.add_subcommand("synth", "Generate a synthetic feature dataset (shards + dataset.yaml)");
  cmd->add_option("--kind", args->kind, "Generator: attributes (fashion-attribute-like tasks)")
      ->check(CLI::IsMember({"attributes"}))
      ->capture_default_str();
  cmd->add_option("--out", args->out_dir, "Output directory (created if missing)")->required();
  cmd->add_option("--rows", args->options.rows, "Rows over train/val/test (70/15/15)")->capture_default_str();
  cmd->add_option("--feature-dim", args->options.feature_dim, "Feature dimension D")->capture_default_str();
  cmd->add_option("--missing", args->options.missing_fraction, "Fraction of missing labels per task")
      ->capture_default_str();
  cmd->add_option("--noise", args->options.noise, "Feature noise standard deviation")->capture_default_str();
  cmd->add_option("--seed", args->options.seed, "Random seed (same seed, same data)")->capture_default_str();
  cmd->add_option("--rows-per-shard", args->options.rows_per_shard, "Rows per HDF5 shard")->capture_default_str();
  cmd->callback([args, &action] {
    action = [args]() -> int {
      const auto manifest = data::write_synth_attributes(args->out_dir, args->options);
      fmt::print("wrote {} shards to {} ({} rows, feature_dim {}):", manifest.shards.size(), args->out_dir,
                 args->options.rows, manifest.feature_dim);
      for (const auto& split : manifest.split_names()) fmt::print(" {} {}", split, manifest.rows_in_split(split));
      fmt::print("\ntasks:");
      for (const auto& task : manifest.tasks) fmt::print(" {} ({}, {})", task.name, to_string(task.type), task.output_dim());
      fmt::print("\n");
      return kExitOk;
    };
  });
}

}  // namespace mmoe::cli
