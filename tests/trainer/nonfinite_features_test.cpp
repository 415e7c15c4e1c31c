// data.nonfinite_features: a train row with NaN features stops training before a run exists
// (error), or is left out, counted and recorded with the run (skip).
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <limits>
#include <string>

#include "core/sha256.h"
#include "data/data_error.h"
#include "data/dataset_manifest.h"
#include "data/shard_reader.h"
#include "data/shard_writer.h"
#include "data/synth_attributes.h"
#include "distributed/communicator.h"
#include "experiments/config_loader.h"
#include "tracking/store.h"
#include "trainer/train_run.h"
#include "tests/trainer/loop_test_util.h"
#include "trainer/trainer.h"

namespace mmoe::trainer {
namespace {

class NonFiniteFeatures : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("mmoe-nonfinite-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    data::SynthAttributesOptions options;
    options.rows = 400;
    options.feature_dim = 8;
    options.seed = 5;
    auto manifest = data::write_synth_attributes(dir_ / "data", options);
    // Rewrite the train shard with NaN in rows 3 and 10 and Inf in row 20, keeping the manifest true.
    for (auto& entry : manifest.shards) {
      if (entry.split != "train") continue;
      const auto path = dir_ / "data" / entry.file;
      auto shard = data::read_shard(path, manifest.tasks, manifest.feature_dim);
      shard.features[3][0] = std::numeric_limits<float>::quiet_NaN();
      shard.features[10][7] = std::numeric_limits<float>::quiet_NaN();
      shard.features[20][2] = std::numeric_limits<float>::infinity();
      entry.sha256 = data::write_shard(path, shard, manifest.tasks, testing::synthetic_provenance());
      entry.bytes = static_cast<int64_t>(std::filesystem::file_size(path));
      train_shard_ = path.string();
    }
    data::save_manifest(dir_ / "data", manifest);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  experiments::LoadedConfig config(const std::string& policy) const {
    return experiments::load_config_text(
        "data: {dir: " + (dir_ / "data").string() + ", nonfinite_features: " + policy +
            "}\nmodel: {num_experts: 2, expert_hidden: [8], tower_hidden: [4]}\n"
            "train: {epochs: 1, batch_size: 32, device: cpu, num_threads: 1, checkpoint_dir: " +
            (dir_ / "checkpoints").string() + "}\n"
            "tracking: {store: " + (dir_ / "runs.db").string() + "}\n",
        "cfg.yaml", {});
  }

  std::filesystem::path dir_;
  std::string train_shard_;
};

TEST_F(NonFiniteFeatures, ErrorNamesShardAndRowBeforeARunIsRecorded) {
  try {
    run_training(config("error"), {});
    FAIL() << "expected a DataError";
  } catch (const data::DataError& e) {
    EXPECT_EQ(std::string(e.what()), train_shard_ + ": /features row 3 holds NaN or Inf; re-create the shard, or "
                                                    "train with data.nonfinite_features=skip");
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "runs.db"));
}

TEST_F(NonFiniteFeatures, SkipLeavesTheRowsOutCountsThemAndRecordsTheCountWithTheRun) {
  distributed::LocalCommunicator communicator;
  Trainer trainer(config("skip").config, communicator);
  EXPECT_EQ(trainer.skipped_train_rows(), 3);
  EXPECT_EQ(trainer.skipped_val_rows(), 0);

  const auto result = run_training(config("skip"), {});
  const auto store = tracking::Store::open_existing(dir_ / "runs.db");
  const auto run = store.get_run(result.run_id);
  EXPECT_EQ(run.tags.at("mmoe.skipped_nonfinite_rows.train"), "3");
  EXPECT_EQ(run.tags.at("mmoe.skipped_nonfinite_rows.val"), "0");
  EXPECT_EQ(result.summary.epochs_run, 1);
  EXPECT_TRUE(std::isfinite(result.summary.last.train_loss));
}

}  // namespace
}  // namespace mmoe::trainer
