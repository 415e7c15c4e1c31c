// create_run -> log_epoch -> set_best -> finish_run -> get_run / list_runs give back exactly
// what was written, absent values included.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <regex>

#include "test_store.h"
#include "tracking/store.h"

namespace mmoe::tracking {
namespace {

using testing::TempDir;
using testing::query_value;
using testing::sample_epoch;
using testing::sample_run;

const std::regex kIsoUtcMillis(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");

void expect_task_row(const TaskMetricsRecord& actual, const TaskMetricsRecord& expected) {
  EXPECT_EQ(actual.task, expected.task);
  EXPECT_EQ(actual.split, expected.split);
  EXPECT_EQ(actual.labelled_rows, expected.labelled_rows);
  EXPECT_EQ(actual.loss, expected.loss);
  EXPECT_EQ(actual.accuracy, expected.accuracy);
  EXPECT_EQ(actual.macro_f1, expected.macro_f1);
  EXPECT_EQ(actual.weighted_f1, expected.weighted_f1);
  EXPECT_EQ(actual.micro_f1, expected.micro_f1);
  EXPECT_EQ(actual.mae, expected.mae);
  EXPECT_EQ(actual.rmse, expected.rmse);
}

TEST(StoreRoundTrip, WritesAndReadsBackExactValues) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const NewRun new_run = sample_run("fish", "fish-baseline");
  const std::string id = store.create_run(new_run);
  ASSERT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{12}"))) << id;

  store.log_epoch(id, sample_epoch(1));
  store.log_epoch(id, sample_epoch(2));
  store.set_best(id, 2, 0.52);
  store.finish_run(id, RunStatus::kFinished);

  const RunDetail run = store.get_run(id);
  EXPECT_EQ(run.summary.id, id);
  EXPECT_EQ(run.summary.experiment, "fish");
  EXPECT_EQ(run.summary.name, "fish-baseline");
  EXPECT_EQ(run.summary.status, RunStatus::kFinished);
  EXPECT_TRUE(std::regex_match(run.summary.started_at, kIsoUtcMillis)) << run.summary.started_at;
  EXPECT_TRUE(std::regex_match(run.summary.ended_at, kIsoUtcMillis)) << run.summary.ended_at;
  EXPECT_LE(run.summary.started_at, run.summary.ended_at);
  EXPECT_EQ(run.summary.epochs_logged, 2);
  EXPECT_EQ(run.summary.monitor, "val_weighted_f1");
  EXPECT_EQ(run.summary.best_epoch, std::optional<int64_t>(2));
  EXPECT_EQ(run.summary.best_metric, std::optional<double>(0.52));
  EXPECT_EQ(run.summary.error, "");

  EXPECT_EQ(run.config_yaml, new_run.config_yaml);
  EXPECT_EQ(run.config_hash, "3f2a9c");
  EXPECT_EQ(run.params, new_run.params);  // in the order given, not sorted
  EXPECT_EQ(run.tags, new_run.tags);
  EXPECT_EQ(run.git_commit, "");
  EXPECT_EQ(run.host, "node07");
  EXPECT_EQ(run.world_size, 4);
  EXPECT_EQ(run.command_line, "mmoe train --config fish.yaml");

  ASSERT_EQ(run.epochs.size(), 2u);
  EXPECT_EQ(run.epochs[0].epoch, 1);
  EXPECT_EQ(run.epochs[0].step, 100);
  EXPECT_EQ(run.epochs[1].epoch, 2);
  EXPECT_EQ(run.epochs[1].step, 200);
  const EpochRecord written = sample_epoch(2);
  const std::map<std::string, double> epoch2(written.metrics.begin(), written.metrics.end());
  EXPECT_EQ(run.epochs[1].metrics, epoch2);
  EXPECT_EQ(run.epochs[1].metrics.at("train_loss"), 0.5);

  const EpochRecord last = sample_epoch(2);
  ASSERT_EQ(run.final_task_metrics.size(), 2u);
  expect_task_row(run.final_task_metrics[0], last.task_metrics[0]);
  expect_task_row(run.final_task_metrics[1], last.task_metrics[1]);
  EXPECT_FALSE(run.final_task_metrics[1].accuracy.has_value());  // regression: no accuracy
  EXPECT_FALSE(run.final_task_metrics[0].mae.has_value());       // multiclass: no MAE

  ASSERT_EQ(run.final_gates.size(), 2u);
  EXPECT_EQ(run.final_gates[0].task, "family");
  EXPECT_EQ(run.final_gates[0].utilization, (std::vector<double>{0.4, 0.3, 0.2, 0.1}));
  EXPECT_EQ(run.final_gates[0].entropy_nats, 1.2799);
  EXPECT_EQ(run.final_gates[0].entropy_normalized, 0.9233);
  EXPECT_EQ(run.final_gates[1].task, "trophic");

  const auto runs = store.list_runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].id, id);
  EXPECT_EQ(runs[0].epochs_logged, 2);
  EXPECT_EQ(runs[0].best_metric, std::optional<double>(0.52));
}

TEST(StoreRoundTrip, NewRunHasNullsWhereNothingWasWritten) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const std::string id = store.create_run(sample_run("fish"));
  const RunDetail run = store.get_run(id);
  EXPECT_EQ(run.summary.name, "fish-" + id.substr(0, 6));  // default name
  EXPECT_EQ(run.summary.status, RunStatus::kRunning);
  EXPECT_EQ(run.summary.ended_at, "");
  EXPECT_EQ(run.summary.epochs_logged, 0);
  EXPECT_FALSE(run.summary.best_epoch.has_value());
  EXPECT_FALSE(run.summary.best_metric.has_value());
  EXPECT_TRUE(run.epochs.empty());
  EXPECT_TRUE(run.final_task_metrics.empty());
  EXPECT_TRUE(run.final_gates.empty());

  const auto db = dir / "runs.db";
  const std::string where = " FROM runs WHERE id = '" + id + "'";  // test-only raw SQL
  EXPECT_EQ(query_value(db, "SELECT quote(ended_at)" + where), "NULL");
  EXPECT_EQ(query_value(db, "SELECT quote(git_commit)" + where), "NULL");
  EXPECT_EQ(query_value(db, "SELECT quote(error)" + where), "NULL");
  EXPECT_EQ(query_value(db, "SELECT quote(best_metric)" + where), "NULL");
  EXPECT_EQ(query_value(db, "SELECT monitor_mode" + where), "max");
}

TEST(StoreRoundTrip, FailedRunKeepsItsErrorAndNanStaysNan) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const std::string id = store.create_run(sample_run("fish"));
  EpochRecord record = sample_epoch(1);
  record.metrics.push_back({"val_rmse", std::numeric_limits<double>::quiet_NaN()});
  store.log_epoch(id, record);
  store.finish_run(id, RunStatus::kFailed, "loss is NaN at step 120; lower optim.lr");

  const RunDetail run = store.get_run(id);
  EXPECT_EQ(run.summary.status, RunStatus::kFailed);
  EXPECT_EQ(run.summary.error, "loss is NaN at step 120; lower optim.lr");
  EXPECT_TRUE(std::isnan(run.epochs.at(0).metrics.at("val_rmse")));
}

TEST(StoreRoundTrip, RelogReplacesNamedValuesAndKeepsOthers) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const std::string id = store.create_run(sample_run("fish"));
  store.log_epoch(id, sample_epoch(1));

  EpochRecord test_split;  // a final evaluation joining epoch 1: test rows, one changed metric
  test_split.epoch = 1;
  test_split.step = 100;
  test_split.metrics = {{"val_loss", 1.5}};
  TaskMetricsRecord test_row;
  test_row.task = "family";
  test_row.split = "test";
  test_row.labelled_rows = 300;
  test_row.accuracy = 0.66;
  test_split.task_metrics = {test_row};
  store.log_epoch(id, test_split);

  const RunDetail run = store.get_run(id);
  ASSERT_EQ(run.epochs.size(), 1u);
  EXPECT_EQ(run.epochs[0].metrics.at("val_loss"), 1.5);
  EXPECT_EQ(run.epochs[0].metrics.at("train_loss"), 1.0);
  EXPECT_EQ(run.epochs[0].metrics.size(), 4u);
  ASSERT_EQ(run.final_task_metrics.size(), 3u);
  EXPECT_EQ(run.final_task_metrics[2].split, "test");
  EXPECT_EQ(run.final_task_metrics[2].accuracy, std::optional<double>(0.66));
  EXPECT_EQ(query_value(dir / "runs.db", "SELECT COUNT(*) FROM metrics"), "4");
}

TEST(StoreRoundTrip, LogEpochRefreshesHeartbeat) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const std::string id = store.create_run(sample_run("fish"));
  const auto db = dir / "runs.db";
  testing::exec_sql(db, "UPDATE runs SET heartbeat_at = '2000-01-01T00:00:00.000Z'");
  store.log_epoch(id, sample_epoch(1));
  const std::string heartbeat = query_value(db, "SELECT heartbeat_at FROM runs");
  EXPECT_TRUE(std::regex_match(heartbeat, kIsoUtcMillis)) << heartbeat;
  EXPECT_GT(heartbeat, "2000-01-01T00:00:00.000Z");
}

TEST(StoreRoundTrip, WritesToUnknownRunsAreStoreErrors) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  EXPECT_THROW(store.log_epoch("0123456789ab", sample_epoch(1)), StoreError);
  EXPECT_THROW(store.set_best("0123456789ab", 1, 0.5), StoreError);
  EXPECT_THROW(store.finish_run("0123456789ab", RunStatus::kFinished), StoreError);
  EXPECT_EQ(query_value(dir / "runs.db", "SELECT COUNT(*) FROM epochs"), "0");
}

TEST(StoreRoundTrip, DuplicateParamKeyIsRefusedAndNothingIsWritten) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  NewRun run = sample_run("fish");
  run.params.push_back({"optim.lr", "0.1"});
  try {
    store.create_run(run);
    FAIL() << "expected StoreError";
  } catch (const StoreError& error) {
    EXPECT_NE(std::string(error.what()).find("param 'optim.lr' appears twice"), std::string::npos)
        << error.what();
  }
  EXPECT_TRUE(store.list_runs().empty());
}

}  // namespace
}  // namespace mmoe::tracking
