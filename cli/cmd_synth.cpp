// mmoe synth --kind attributes|mmoe-paper --out DIR [...]
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/shard_write_flags.h"
#include "data/synth_attributes.h"
#include "data/synth_mmoe_paper.h"

namespace mmoe::cli {
namespace {

enum class SynthKind { kAttributes, kMmoePaper };

const std::map<std::string, SynthKind>& kind_names() {
  static const std::map<std::string, SynthKind> names = {{"attributes", SynthKind::kAttributes},
                                                         {data::kMmoePaperKind, SynthKind::kMmoePaper}};
  return names;
}

std::string kind_name(SynthKind kind) {
  for (const auto& [name, value] : kind_names()) {
    if (value == kind) return name;
  }
  return "?";
}

// Flags that only one kind reads; giving one to another kind is a usage error.
struct KindFlag {
  const char* flag;
  SynthKind kind;
};
constexpr KindFlag kKindFlags[] = {{"--missing", SynthKind::kAttributes},
                                   {"--noise", SynthKind::kAttributes},
                                   {"--correlation", SynthKind::kMmoePaper},
                                   {"--scale", SynthKind::kMmoePaper},
                                   {"--sin-terms", SynthKind::kMmoePaper}};

struct SynthArgs {
  std::string kind_text = "attributes";  // --kind as given; `kind` once parsed
  SynthKind kind = SynthKind::kAttributes;
  std::string out_dir;
  // Shared by both kinds (their defaults agree).
  int64_t rows = data::SynthAttributesOptions{}.rows;
  int64_t feature_dim = 0;  // 0 = the kind's default
  uint64_t seed = 0;
  int64_t rows_per_shard = data::SynthAttributesOptions{}.rows_per_shard;
  data::ShardWriteOptions write;
  data::SynthAttributesOptions attributes;  // --missing, --noise
  data::SynthMmoePaperOptions paper;        // --correlation, --scale, --sin-terms
};

void check_kind_flags(const CLI::App& cmd, SynthKind kind) {
  std::vector<std::string> misplaced;
  std::string other_kind;
  for (const auto& entry : kKindFlags) {
    if (entry.kind != kind && cmd.count(entry.flag) > 0) {
      misplaced.push_back(entry.flag);
      other_kind = kind_name(entry.kind);
    }
  }
  if (misplaced.empty()) return;
  const bool one = misplaced.size() == 1;
  throw CLI::ValidationError(fmt::format("{} {} not apply to --kind {} ({} --kind {} option{})",
                                         fmt::join(misplaced, ", "), one ? "does" : "do", kind_name(kind),
                                         one ? "it is a" : "they are", other_kind, one ? "" : "s"));
}

void print_written(const data::DatasetManifest& manifest, const std::string& out_dir, int64_t rows) {
  fmt::print("wrote {} shards to {} ({} rows, feature_dim {}):", manifest.shards.size(), out_dir, rows,
             manifest.feature_dim);
  for (const auto& split : manifest.split_names()) fmt::print(" {} {}", split, manifest.rows_in_split(split));
  fmt::print("\ntasks:");
  for (const auto& task : manifest.tasks) fmt::print(" {} ({}, {})", task.name, to_string(task.type), task.output_dim());
  fmt::print("\n");
}

int run_synth(const SynthArgs& args) {
  if (args.kind == SynthKind::kAttributes) {
    auto options = args.attributes;
    options.rows = args.rows;
    options.feature_dim = args.feature_dim == 0 ? options.feature_dim : args.feature_dim;
    options.seed = args.seed;
    options.rows_per_shard = args.rows_per_shard;
    options.write = args.write;
    print_written(data::write_synth_attributes(args.out_dir, options), args.out_dir, options.rows);
    return kExitOk;
  }
  auto options = args.paper;
  options.rows = args.rows;
  options.feature_dim = args.feature_dim == 0 ? options.feature_dim : args.feature_dim;
  options.seed = args.seed;
  options.rows_per_shard = args.rows_per_shard;
  options.write = args.write;
  const auto manifest = data::write_synth_mmoe_paper(args.out_dir, options);
  print_written(manifest, args.out_dir, options.rows);
  fmt::print("label correlation of y1 and y2: requested {}, measured {:.4f} (Pearson, all rows)\n",
             options.correlation, manifest.synthetic->measured_label_correlation.value_or(0.0));
  return kExitOk;
}

}  // namespace

void add_synth_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<SynthArgs>();
  auto* cmd = app.add_subcommand(
      "synth",
      "Generate a synthetic feature dataset (shards + dataset.yaml), deterministic by --seed.\n"
      "  attributes: fashion-attribute-like features; 2 multiclass, 1 multilabel, 1 regression task\n"
      "  mmoe-paper: the MMoE paper's two regression tasks y1, y2 with task correlation --correlation\n"
      "              (Ma et al., KDD 2018); dataset.yaml records the measured label correlation");
  cmd->add_option("--kind", args->kind_text, "Generator: attributes or mmoe-paper")
      ->check(CLI::IsMember(kind_names()))
      ->capture_default_str();
  cmd->add_option("--out", args->out_dir, "Output directory (created if missing)")->required();
  cmd->add_option("--rows", args->rows, "Rows over train/val/test (70/15/15), >= 20")->capture_default_str();
  cmd->add_option("--feature-dim", args->feature_dim,
                  fmt::format("Feature dimension D; 0 = the kind's default (attributes {}, mmoe-paper {})",
                              data::SynthAttributesOptions{}.feature_dim, data::SynthMmoePaperOptions{}.feature_dim))
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Random seed (same seed, same data)")->capture_default_str();
  cmd->add_option("--rows-per-shard", args->rows_per_shard, "Rows per HDF5 shard")->capture_default_str();
  add_shard_write_flags(*cmd, args->write);
  cmd->add_option("--missing", args->attributes.missing_fraction, "attributes: fraction of missing labels per task")
      ->capture_default_str();
  cmd->add_option("--noise", args->attributes.noise, "attributes: feature noise standard deviation")
      ->capture_default_str();
  cmd->add_option("--correlation", args->paper.correlation, "mmoe-paper: task correlation p in [-1, 1]")
      ->capture_default_str();
  cmd->add_option("--scale", args->paper.scale, "mmoe-paper: c, the norm of w1 and w2 (> 0)")->capture_default_str();
  cmd->add_option("--sin-terms", args->paper.sin_terms, "mmoe-paper: m, sine terms per label (>= 0)")
      ->capture_default_str();
  cmd->callback([args, cmd, &action] {
    args->kind = kind_names().at(args->kind_text);
    check_kind_flags(*cmd, args->kind);
    action = [args]() -> int { return run_synth(*args); };
  });
}

}  // namespace mmoe::cli
