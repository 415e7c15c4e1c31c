// The views people query from the sqlite3 shell: run_summary, final_task_metrics,
// best_run_per_experiment.
#include <gtest/gtest.h>

#include "test_store.h"
#include "tracking/store.h"

namespace mmoe::tracking {
namespace {

using testing::TempDir;
using testing::query_rows;
using testing::sample_epoch;
using testing::sample_run;
using Rows = std::vector<std::vector<std::string>>;

class StoreViews : public ::testing::Test {
 protected:
  void SetUp() override {
    Store store = Store::open(path_);
    // fish: two F1-monitored runs (higher is better) and one that never reported a best.
    fish_low_ = store.create_run(sample_run("fish", "fish-low"));
    fish_high_ = store.create_run(sample_run("fish", "fish-high"));
    fish_none_ = store.create_run(sample_run("fish", "fish-none"));
    for (int64_t epoch = 1; epoch <= 3; ++epoch) store.log_epoch(fish_high_, sample_epoch(epoch));
    store.log_epoch(fish_low_, sample_epoch(1));
    store.set_best(fish_low_, 1, 0.61);
    store.set_best(fish_high_, 3, 0.83);
    store.finish_run(fish_low_, RunStatus::kFinished);
    store.finish_run(fish_high_, RunStatus::kFinished);
    store.finish_run(fish_none_, RunStatus::kFailed, "bad config");
    // fashion: loss-monitored runs (lower is better).
    NewRun loss_run = sample_run("fashion", "fashion-a");
    loss_run.monitor = "val_loss";
    fashion_a_ = store.create_run(loss_run);
    loss_run.name = "fashion-b";
    fashion_b_ = store.create_run(loss_run);
    store.set_best(fashion_a_, 4, 0.35);
    store.set_best(fashion_b_, 2, 0.29);
  }

  TempDir dir_;
  std::filesystem::path path_ = dir_ / "runs.db";
  std::string fish_low_, fish_high_, fish_none_, fashion_a_, fashion_b_;
};

TEST_F(StoreViews, RunSummaryCountsEpochsNewestFirst) {
  const Rows rows = query_rows(path_,
                               "SELECT id, experiment, name, status, epochs, monitor, best_epoch, "
                               "best_metric, ended_at IS NULL FROM run_summary");
  const Rows expected = {
      {fashion_b_, "fashion", "fashion-b", "running", "0", "val_loss", "2", "0.29", "1"},
      {fashion_a_, "fashion", "fashion-a", "running", "0", "val_loss", "4", "0.35", "1"},
      {fish_none_, "fish", "fish-none", "failed", "0", "val_weighted_f1", "NULL", "NULL", "0"},
      {fish_high_, "fish", "fish-high", "finished", "3", "val_weighted_f1", "3", "0.83", "0"},
      {fish_low_, "fish", "fish-low", "finished", "1", "val_weighted_f1", "1", "0.61", "0"},
  };
  EXPECT_EQ(rows, expected);
}

TEST_F(StoreViews, FinalTaskMetricsShowsOnlyTheLastEpoch) {
  const Rows rows = query_rows(path_,
                               "SELECT run_id, run_name, epoch, task, split, labelled_rows, "
                               "round(loss, 2), round(weighted_f1, 2), mae "
                               "FROM final_task_metrics ORDER BY run_name, task");
  // fish-high's last epoch is 3: family loss 0.7/3, weighted F1 0.5 + 3/100.
  const Rows expected = {
      {fish_high_, "fish-high", "3", "family", "val", "900", "0.23", "0.53", "NULL"},
      {fish_high_, "fish-high", "3", "trophic", "val", "850", "0.25", "NULL", "0.31"},
      {fish_low_, "fish-low", "1", "family", "val", "900", "0.7", "0.51", "NULL"},
      {fish_low_, "fish-low", "1", "trophic", "val", "850", "0.25", "NULL", "0.31"},
  };
  EXPECT_EQ(rows, expected);
}

TEST_F(StoreViews, BestRunPerExperimentRespectsTheMonitorDirection) {
  const Rows rows = query_rows(path_,
                               "SELECT experiment, monitor, monitor_mode, run_id, run_name, "
                               "best_epoch, best_metric, runs_compared "
                               "FROM best_run_per_experiment");
  const Rows expected = {
      {"fashion", "val_loss", "min", fashion_b_, "fashion-b", "2", "0.29", "2"},
      {"fish", "val_weighted_f1", "max", fish_high_, "fish-high", "3", "0.83", "2"},
  };
  EXPECT_EQ(rows, expected);
}

}  // namespace
}  // namespace mmoe::tracking
