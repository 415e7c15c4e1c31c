// Schema version 4: sweeps, sweep_trials, runs linked to a sweep, run tags set later.
#include <gtest/gtest.h>

#include "test_store.h"
#include "tracking/store.h"

namespace mmoe::tracking {
namespace {

using testing::query_rows;
using testing::query_value;
using testing::sample_run;
using testing::TempDir;

NewSweep sample_sweep(const std::string& name) {
  NewSweep sweep;
  sweep.name = name;
  sweep.spec_text = "name: " + name + "\n";
  sweep.source = "/tmp/" + name + ".yaml";
  sweep.method = "grid";
  sweep.metric = "val_weighted_f1";
  sweep.direction = "max";
  return sweep;
}

EpochRecord epoch_with(int64_t epoch, double f1) {
  EpochRecord record;
  record.epoch = epoch;
  record.step = epoch * 10;
  record.metrics = {{"val_weighted_f1", f1}, {"train_loss", 1.0}};
  return record;
}

TEST(StoreSweeps, CreateFindAndStatus) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const std::string id = store.create_sweep(sample_sweep("gates"));
  EXPECT_EQ(id.size(), 12u);
  const auto by_name = store.find_sweep("gates");
  ASSERT_TRUE(by_name);
  EXPECT_EQ(by_name->id, id);
  EXPECT_EQ(by_name->status, "running");
  EXPECT_EQ(by_name->spec_text, "name: gates\n");
  EXPECT_EQ(by_name->method, "grid");
  ASSERT_TRUE(store.find_sweep(id.substr(0, 5)));
  EXPECT_FALSE(store.find_sweep("nope"));
  store.set_sweep_status(id, "finished");
  EXPECT_EQ(store.find_sweep(id)->status, "finished");
  EXPECT_EQ(query_value(dir / "runs.db", "SELECT objective || ' ' || direction FROM sweeps"), "val_weighted_f1 max");
}

TEST(StoreSweeps, DuplicateNameIsRefused) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const std::string id = store.create_sweep(sample_sweep("gates"));
  try {
    store.create_sweep(sample_sweep("gates"));
    ADD_FAILURE() << "expected a StoreError";
  } catch (const StoreError& error) {
    EXPECT_EQ(std::string(error.what()), "store '" + (dir / "runs.db").string() + "': a sweep named 'gates' exists "
                                         "already (id " + id + "); resume it or rename the new one");
  }
}

TEST(StoreSweeps, FirstRecordedTrialValuesWin) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const std::string id = store.create_sweep(sample_sweep("s"));
  EXPECT_EQ(store.record_sweep_trial(id, 1, "a=1\n"), "a=1\n");
  EXPECT_EQ(store.record_sweep_trial(id, 1, "a=2\n"), "a=1\n");
  EXPECT_EQ(store.record_sweep_trial(id, 0, "a=3\n"), "a=3\n");
  const auto trials = store.sweep_trials(id);
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[0].trial, 0);
  EXPECT_EQ(trials[1].assignment, "a=1\n");
}

TEST(StoreSweeps, RunsOfASweepWithCurvesAndTags) {
  TempDir dir;
  const auto path = dir / "runs.db";
  Store store = Store::open(path);
  const std::string sweep = store.create_sweep(sample_sweep("s"));
  NewRun first = sample_run("e");
  first.sweep_id = sweep;
  first.trial = 1;
  const std::string a = store.create_run(first);
  store.log_epoch(a, epoch_with(1, 0.5));
  store.log_epoch(a, epoch_with(2, 0.25));
  store.finish_run(a, RunStatus::kInterrupted, "stop");
  store.set_tag(a, kStoppedEarlyTag, "median");
  NewRun second = sample_run("e");
  second.sweep_id = sweep;
  second.trial = 0;
  const std::string b = store.create_run(second);
  store.create_run(sample_run("e"));  // not in the sweep

  EXPECT_EQ(query_value(path, "SELECT sweep_id || ':' || trial FROM runs WHERE id = '" + a + "'"), sweep + ":1");
  const auto runs = store.sweep_runs(sweep, "val_weighted_f1");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].run_id, b);  // by trial
  EXPECT_EQ(runs[0].status, "running");
  EXPECT_TRUE(runs[0].curve.empty());
  EXPECT_EQ(runs[1].run_id, a);
  EXPECT_EQ(runs[1].status, "interrupted");
  EXPECT_EQ(runs[1].stopped_early, "median");
  EXPECT_EQ(runs[1].curve, (std::map<int64_t, double>{{1, 0.5}, {2, 0.25}}));
  store.set_tag(a, kStoppedEarlyTag, "asha");  // replaces
  EXPECT_EQ(store.get_run(a).tags.at(kStoppedEarlyTag), "asha");
  EXPECT_THROW(store.set_tag("0123456789ab", "k", "v"), StoreError);
}

TEST(StoreSweeps, DeletingASweepRemovesItsTrialRows) {
  TempDir dir;
  const auto path = dir / "runs.db";
  Store store = Store::open(path);
  const std::string id = store.create_sweep(sample_sweep("s"));
  store.record_sweep_trial(id, 0, "a=1\n");
  testing::exec_sql(path, "PRAGMA foreign_keys = ON; DELETE FROM sweeps");
  EXPECT_TRUE(query_rows(path, "SELECT * FROM sweep_trials").empty());
}

}  // namespace
}  // namespace mmoe::tracking
