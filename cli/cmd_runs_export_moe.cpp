// mmoe runs export-moe RUN --out DIR        MoE-visualisation training log + router affinity CSV
// mmoe runs export-mlflow RUN... --out DIR  an MLflow file store (mlruns) that `mlflow ui` opens
// (docs/report.md)
#include <fmt/format.h>

#include "cli/exit_codes.h"
#include "cli/runs_commands.h"
#include "tracking/mlflow_export.h"
#include "tracking/moe_log_export.h"

namespace mmoe::cli {
namespace {

struct MoeArgs {
  std::string store;
  std::string run;
  std::string out;
};

struct MlflowArgs {
  std::string store;
  std::vector<std::string> runs;
  std::string out = "mlruns";
};

}  // namespace

void add_runs_export_moe_commands(CLI::App& runs, const CommandContext& context, Action& action) {
  auto moe = std::make_shared<MoeArgs>();
  auto* moe_command = runs.add_subcommand(
      "export-moe", "A run's MoE-visualisation training log (training_log.jsonl) and router_affinity_matrix.csv");
  moe_command->add_option("id", moe->run, "Run id or a unique prefix of it")->required();
  moe_command->add_option("--out", moe->out, "Output directory")->required();
  add_store_option(*moe_command, moe->store, context);
  moe_command->callback([moe, &action] {
    action = [args = moe]() -> int {
      const auto store = tracking::Store::open_existing(args->store);
      const auto written = tracking::export_moe_log(store, args->run, args->out);
      fmt::print("{}\n{}\n", written.log.string(), written.matrix.string());
      return kExitOk;
    };
  });

  auto mlflow = std::make_shared<MlflowArgs>();
  auto* mlflow_command = runs.add_subcommand(
      "export-mlflow", "Runs as an MLflow file store: open it with mlflow ui --backend-store-uri DIR");
  mlflow_command->add_option("ids", mlflow->runs, "Run ids or unique prefixes")->required()->expected(1, -1);
  mlflow_command->add_option("--out", mlflow->out, "The mlruns directory")->capture_default_str();
  add_store_option(*mlflow_command, mlflow->store, context);
  mlflow_command->callback([mlflow, &action] {
    action = [args = mlflow]() -> int {
      const auto store = tracking::Store::open_existing(args->store);
      for (const auto& run : tracking::export_mlflow(store, args->runs, args->out)) {
        fmt::print("{}\n", run.run_dir.string());
      }
      return kExitOk;
    };
  });
}

}  // namespace mmoe::cli
