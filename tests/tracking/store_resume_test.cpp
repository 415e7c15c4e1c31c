// Store::resume_run: a run continued from a checkpoint keeps its id; the rows of the epochs after
// the checkpoint go, the earlier ones stay, and the run is 'running' again.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/tracking/test_store.h"
#include "tracking/store.h"

namespace mmoe::tracking {
namespace {

using ::testing::HasSubstr;
using testing::query_value;
using testing::TempDir;

class StoreResume : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<Store>(Store::open(dir_ / "runs.db"));
    id_ = store_->create_run(testing::sample_run("resume"));
    for (int64_t epoch = 1; epoch <= 3; ++epoch) store_->log_epoch(id_, testing::sample_epoch_v2(epoch));
    store_->set_best(id_, 3, 0.53);
  }
  std::string count(const std::string& table, const std::string& where = "") const {
    return query_value(dir_ / "runs.db",
                       "SELECT count(*) FROM " + table + " WHERE run_id = '" + id_ + "'" + where);
  }
  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::string id_;
};

TEST_F(StoreResume, ReopensTheRunAndDropsTheEpochsAfterTheCheckpoint) {
  store_->finish_run(id_, RunStatus::kInterrupted, "training interrupted by a signal");
  store_->resume_run(id_, 2);
  const auto db = dir_ / "runs.db";
  EXPECT_EQ(query_value(db, "SELECT status FROM runs"), "running");
  EXPECT_EQ(query_value(db, "SELECT ended_at FROM runs"), "NULL");
  EXPECT_EQ(query_value(db, "SELECT error FROM runs"), "NULL");
  EXPECT_EQ(query_value(db, "SELECT best_epoch FROM runs"), "NULL");  // epoch 3 is gone
  EXPECT_EQ(count("epochs"), "2");
  EXPECT_EQ(count("metrics", " AND epoch = 3"), "0");
  EXPECT_EQ(count("metrics", " AND epoch = 2"), "4");  // sample_epoch logs 4 scalars
  EXPECT_EQ(count("task_metrics", " AND epoch = 3"), "0");
  EXPECT_EQ(count("task_metrics", " AND epoch <= 2"), "4");
  EXPECT_EQ(count("gate_stats", " AND epoch = 3"), "0");
  EXPECT_EQ(count("gate_entropy", " AND epoch = 3"), "0");
  EXPECT_EQ(count("gate_entropy", " AND epoch <= 2"), "4");
  EXPECT_EQ(count("class_metrics", " AND epoch = 3"), "0");  // per-class rows go too
  EXPECT_EQ(count("class_metrics", " AND epoch <= 2"), "6");  // sample_epoch_v2: 3 classes per epoch
  EXPECT_EQ(store_->get_run(id_).summary.status, RunStatus::kRunning);
}

TEST_F(StoreResume, KeepsTheBestEpochWhenItIsNotAfterTheCheckpoint) {
  store_->set_best(id_, 1, 0.51);
  store_->finish_run(id_, RunStatus::kFailed, "boom");
  store_->resume_run(id_, 2);
  EXPECT_EQ(query_value(dir_ / "runs.db", "SELECT best_epoch FROM runs"), "1");
  EXPECT_EQ(count("epochs"), "2");
}

TEST_F(StoreResume, RefusesAnUnknownRunNamingIt) {
  try {
    store_->resume_run("0123456789ab", 1);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_THAT(e.what(), HasSubstr("0123456789ab"));
  }
}

TEST_F(StoreResume, RefusesAFinishedRunNamingItAndChangesNothing) {
  store_->finish_run(id_, RunStatus::kFinished);
  try {
    store_->resume_run(id_, 1);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_THAT(e.what(), HasSubstr("run '" + id_ + "'"));
    EXPECT_THAT(e.what(), HasSubstr("is finished"));
  }
  EXPECT_EQ(query_value(dir_ / "runs.db", "SELECT status FROM runs"), "finished");
  EXPECT_EQ(count("epochs"), "3");
}

}  // namespace
}  // namespace mmoe::tracking
