// mmoe predict --checkpoint PATH --data DIR [--split S] --out FILE.csv
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "trainer/predict.h"

namespace mmoe::cli {
namespace {

struct PredictArgs {
  std::string checkpoint;
  std::string data_dir;
  std::string split = "test";
  std::string out;
};

}  // namespace

void add_predict_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<PredictArgs>();
  auto* cmd = app.add_subcommand("predict", "Write a checkpoint's predictions for every row of a split to CSV");
  cmd->add_option("--checkpoint", args->checkpoint, "A checkpoint directory, e.g. checkpoints/<run id>/best")
      ->required();
  cmd->add_option("--data", args->data_dir, "Dataset directory (holds dataset.yaml)")->required();
  cmd->add_option("--split", args->split, "Split to predict")->capture_default_str();
  cmd->add_option("--out", args->out, "CSV file to write (columns: README, 'mmoe predict')")->required();
  cmd->callback([args, &action] {
    action = [args]() -> int {
      auto loaded = trainer::load_checkpoint_model(args->checkpoint);
      trainer::PredictOptions options;
      options.data_dir = args->data_dir;
      options.split = args->split;
      const auto rows = trainer::write_predictions(loaded, options, args->out);
      fmt::print("wrote {} predictions of split '{}' to {}\n", rows, args->split, args->out);
      return kExitOk;
    };
  });
}

}  // namespace mmoe::cli
