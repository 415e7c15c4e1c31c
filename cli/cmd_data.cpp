// mmoe data import | info | verify
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/data_report_format.h"
#include "cli/exit_codes.h"
#include "cli/shard_write_flags.h"
#include "data/data_error.h"
#include "data/dataset_info.h"
#include "data/dataset_verify.h"
#include "data/import_dataset.h"
#include "data/import_labels.h"

namespace mmoe::cli {
namespace {

struct DataArgs {
  std::string dir;
  bool json = false;
  data::ImportOptions import;
  std::string features, labels, out_dir;
  std::vector<std::string> task_declarations;
};

int run_import(const DataArgs& args) {
  auto options = args.import;
  options.features = args.features;
  options.labels = args.labels;
  options.out_dir = args.out_dir;
  for (const auto& text : args.task_declarations) {
    const auto [name, type] = data::parse_task_declaration(text);
    if (options.declared.count(name)) throw data::DataError("--task " + text + ": task '" + name + "' declared twice");
    options.declared[name] = type;
  }
  const auto result = data::import_dataset(options);
  const auto& manifest = result.manifest;
  int64_t rows = 0;
  for (const auto& split : manifest.split_names()) rows += manifest.rows_in_split(split);
  fmt::print("wrote {} shards to {} ({} rows, feature_dim {}):", manifest.shards.size(), args.out_dir, rows,
             manifest.feature_dim);
  for (const auto& split : manifest.split_names()) fmt::print(" {} {}", split, manifest.rows_in_split(split));
  fmt::print("\ntasks:\n");
  for (size_t t = 0; t < manifest.tasks.size(); ++t) {
    const auto& task = manifest.tasks[t];
    fmt::print("  {} ({}, {}; {})\n", task.name, to_string(task.type), task.output_dim(),
               result.declared[t] ? "declared" : "inferred, override with --task " + task.name + ":TYPE");
  }
  return kExitOk;
}

}  // namespace

void add_data_commands(CLI::App& app, Action& action) {
  auto args = std::make_shared<DataArgs>();
  auto* data_cmd = app.add_subcommand("data", "Import, describe and verify feature datasets");
  data_cmd->require_subcommand(1);

  auto* import_cmd = data_cmd->add_subcommand(
      "import", "Shards + dataset.yaml from features (.npy or .csv) and a labels CSV (docs/data.md)");
  import_cmd->add_option("--features", args->features, "Features: .npy (float32/float16, 2-D, C order) or numeric .csv")
      ->required();
  import_cmd->add_option("--labels", args->labels, "Labels CSV: header row, one column per task, optional sample_id")
      ->required();
  import_cmd->add_option("--out", args->out_dir, "Output dataset directory (must not hold a dataset.yaml)")->required();
  import_cmd->add_option("--task", args->task_declarations,
                     "NAME:TYPE, TYPE one of multiclass, multilabel, regression (repeatable; default: inferred)");
  import_cmd->add_option("--val-fraction", args->import.val_fraction, "Fraction of rows for the val split")
      ->capture_default_str();
  import_cmd->add_option("--test-fraction", args->import.test_fraction, "Fraction of rows for the test split")
      ->capture_default_str();
  import_cmd->add_option("--seed", args->import.seed, "Seed of the random split")->capture_default_str();
  import_cmd->add_option("--rows-per-shard", args->import.rows_per_shard, "Rows per HDF5 shard")->capture_default_str();
  add_shard_write_flags(*import_cmd, args->import.write);
  import_cmd->add_option("--name", args->import.name, "Dataset name (default: the output directory's name)");
  import_cmd->callback([args, &action] { action = [args]() -> int { return run_import(*args); }; });

  auto* info = data_cmd->add_subcommand("info", "Shards, rows, tasks, label coverage and class histograms");
  info->add_option("dir", args->dir, "Dataset directory (holds dataset.yaml)")->required();
  info->add_flag("--json", args->json, "JSON instead of text");
  info->callback([args, &action] {
    action = [args]() -> int {
      const auto report = data::dataset_info(args->dir);
      fmt::print("{}\n", args->json ? dataset_info_to_json(report) : format_dataset_info(report));
      return kExitOk;
    };
  });

  auto* verify = data_cmd->add_subcommand(
      "verify", "Check every shard: exists, SHA-256, HDF5 structure, labels, rows (exit 1 on any problem)");
  verify->add_option("dir", args->dir, "Dataset directory (holds dataset.yaml)")->required();
  verify->add_flag("--json", args->json, "JSON instead of text");
  verify->callback([args, &action] {
    action = [args]() -> int {
      const auto report = data::verify_dataset(args->dir);
      if (args->json) {
        fmt::print("{}\n", verify_report_to_json(report));
      } else {
        fmt::print("{}", format_verify_report(report));
      }
      return report.ok() ? kExitOk : kExitError;
    };
  });
}

}  // namespace mmoe::cli
