// mmoe eval --run ID | --checkpoint PATH [--split test] [--data DIR] [--store S] [--json]
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/metrics_table.h"
#include "experiments/config_loader.h"
#include "tracking/store.h"
#include "trainer/checkpoint_model.h"
#include "trainer/store_recorder.h"
#include "trainer/train_run.h"

namespace mmoe::cli {
namespace {

struct EvalArgs {
  std::string run_id;
  std::string checkpoint;
  std::string split = "test";
  std::string data_dir;
  std::string store;
  bool json = false;
};

// The run's 'best' checkpoint: <its checkpoint root tag>/<run id>/best, or, for a run recorded
// without the tag, <train.checkpoint_dir of its stored config, relative to here>/<run id>/best.
std::filesystem::path best_checkpoint_of(const tracking::RunDetail& run) {
  const auto tag = run.tags.find(trainer::kCheckpointRootTag);
  if (tag != run.tags.end()) return std::filesystem::path(tag->second) / run.summary.id / "best";
  const auto config = experiments::load_config_text(run.config_yaml, "the stored config of run " + run.summary.id);
  return std::filesystem::path(config.config.train.checkpoint_dir) / run.summary.id / "best";
}

nlohmann::json optional_json(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

void add_eval_command(CLI::App& app, const CommandContext& context, Action& action) {
  auto args = std::make_shared<EvalArgs>();
  args->store = context.default_store;
  auto* cmd = app.add_subcommand("eval", "Evaluate a checkpoint on a dataset split and print per-task metrics");
  auto* run = cmd->add_option("--run", args->run_id,
                              "A run of the store: its 'best' checkpoint; the split's metrics are recorded with it");
  auto* checkpoint = cmd->add_option("--checkpoint", args->checkpoint, "A checkpoint directory (nothing is recorded)");
  run->excludes(checkpoint);
  cmd->add_option("--split", args->split, "Split of the dataset to evaluate")->capture_default_str();
  cmd->add_option("--data", args->data_dir, "Dataset directory (default: data.dir of the checkpoint's config)");
  cmd->add_option("--store", args->store, "Store file ($MMOE_STORE or mmoe_runs.db)")->capture_default_str();
  cmd->add_flag("--json", args->json, "JSON instead of a table");
  cmd->callback([args, &action] {
    action = [args]() -> int {
      if (args->run_id.empty() == args->checkpoint.empty()) {
        fmt::print(stderr, "mmoe: usage error: eval needs one of --run ID or --checkpoint PATH\n");
        return kExitUsage;
      }
      std::optional<tracking::Store> store;
      std::string run_id;
      std::filesystem::path path = args->checkpoint;
      if (!args->run_id.empty()) {
        store.emplace(tracking::Store::open_existing(args->store));
        const auto run = store->get_run(args->run_id);
        run_id = run.summary.id;
        path = best_checkpoint_of(run);
      }
      auto loaded = trainer::load_checkpoint_model(path);
      const std::filesystem::path data_dir = args->data_dir.empty() ? loaded.config.data.dir : args->data_dir;
      const auto evaluation = trainer::evaluate_checkpoint(loaded, data_dir, args->split);
      std::vector<std::string> tasks;
      for (const auto& head : loaded.spec.tasks) tasks.push_back(head.name);
      if (store) {
        tracking::EpochRecord record;
        record.epoch = loaded.info.epoch;
        record.step = loaded.info.global_step;
        for (size_t t = 0; t < tasks.size(); ++t) {
          record.task_metrics.push_back(trainer::to_task_metrics_record(tasks[t], args->split, evaluation.tasks[t]));
        }
        store->log_epoch(run_id, record);
      }
      if (args->json) {
        nlohmann::json out = {{"checkpoint", loaded.info.dir.string()}, {"run_id", loaded.info.run_id},
                              {"epoch", loaded.info.epoch},           {"split", args->split},
                              {"data", data_dir.string()},             {"recorded", store.has_value()},
                              {"weighted_loss", evaluation.weighted_loss}};
        out["tasks"] = nlohmann::json::array();
        for (size_t t = 0; t < tasks.size(); ++t) {
          const auto& s = evaluation.tasks[t];
          out["tasks"].push_back({{"task", tasks[t]}, {"labelled_rows", s.labelled_rows}, {"loss", optional_json(s.loss)},
                                  {"accuracy", optional_json(s.accuracy)}, {"weighted_f1", optional_json(s.weighted_f1)},
                                  {"macro_f1", optional_json(s.macro_f1)}, {"micro_f1", optional_json(s.micro_f1)},
                                  {"mae", optional_json(s.mae)}, {"rmse", optional_json(s.rmse)}});
        }
        fmt::print("{}\n", out.dump(2));
        return kExitOk;
      }
      fmt::print("checkpoint {} (run {}, epoch {}), split '{}' of {}:\n", loaded.info.dir.string(), loaded.info.run_id,
                 loaded.info.epoch, args->split, data_dir.string());
      fmt::print("{}", format_metrics_table(tasks, evaluation.tasks));
      if (store) fmt::print("recorded as split '{}' of epoch {} of run {}\n", args->split, loaded.info.epoch, run_id);
      return kExitOk;
    };
  });
}

}  // namespace mmoe::cli
