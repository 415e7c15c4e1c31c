// JSON renderings parse back (nlohmann) with the stored values; absent values are null.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "test_store.h"
#include "tracking/run_format.h"

namespace mmoe::tracking {
namespace {

using nlohmann::json;
using testing::TempDir;
using testing::sample_epoch;
using testing::sample_run;

TEST(RunJson, SummariesParseBackWithStoredValues) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const std::string finished = store.create_run(sample_run("fish", "done"));
  store.log_epoch(finished, sample_epoch(1));
  store.set_best(finished, 1, 0.51);
  store.finish_run(finished, RunStatus::kFinished);
  const std::string running = store.create_run(sample_run("fish", "going"));

  const json doc = json::parse(runs_to_json(store.list_runs()));
  ASSERT_TRUE(doc.is_array());
  ASSERT_EQ(doc.size(), 2u);
  const json& newest = doc[0];
  EXPECT_EQ(newest["id"], running);
  EXPECT_EQ(newest["name"], "going");
  EXPECT_EQ(newest["status"], "running");
  EXPECT_TRUE(newest["ended_at"].is_null());
  EXPECT_TRUE(newest["best_epoch"].is_null());
  EXPECT_TRUE(newest["best_metric"].is_null());
  EXPECT_TRUE(newest["error"].is_null());
  const json& older = doc[1];
  EXPECT_EQ(older["id"], finished);
  EXPECT_EQ(older["experiment"], "fish");
  EXPECT_EQ(older["status"], "finished");
  EXPECT_EQ(older["epochs_logged"], 1);
  EXPECT_EQ(older["monitor"], "val_weighted_f1");
  EXPECT_EQ(older["best_epoch"], 1);
  EXPECT_EQ(older["best_metric"].get<double>(), 0.51);
  EXPECT_TRUE(older["ended_at"].is_string());
  const std::vector<std::string> keys = {"id",          "experiment", "name",       "status",
                                         "started_at",  "ended_at",   "epochs_logged",
                                         "monitor",     "best_epoch", "best_metric", "error",
                                         "heartbeat_at", "stale"};
  std::vector<std::string> actual;
  for (const auto& item : older.items()) actual.push_back(item.key());
  std::sort(actual.begin(), actual.end());
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(actual, sorted);
  EXPECT_EQ(json::parse(runs_to_json({})), json::array());
}

TEST(RunJson, DetailParsesBackWithStoredValuesAndNulls) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const std::string id = store.create_run(sample_run("fish", "detail"));
  EpochRecord record = sample_epoch(2);
  record.metrics.push_back({"val_rmse", std::numeric_limits<double>::quiet_NaN()});
  store.log_epoch(id, record);
  store.finish_run(id, RunStatus::kFailed, "diverged");

  const json doc = json::parse(run_detail_to_json(store.get_run(id)));
  EXPECT_EQ(doc["summary"]["id"], id);
  EXPECT_EQ(doc["summary"]["status"], "failed");
  EXPECT_EQ(doc["summary"]["error"], "diverged");
  EXPECT_EQ(doc["config_yaml"], sample_run("fish").config_yaml);
  EXPECT_EQ(doc["config_hash"], "3f2a9c");
  EXPECT_TRUE(doc["git_commit"].is_null());
  EXPECT_EQ(doc["host"], "node07");
  EXPECT_EQ(doc["world_size"], 4);
  EXPECT_EQ(doc["command_line"], "mmoe train --config fish.yaml");
  EXPECT_EQ(doc["params"]["optim.lr"], "0.0003");
  EXPECT_EQ(doc["params"]["data.batch_size"], "256");
  EXPECT_EQ(doc["tags"]["owner"], "ana");

  ASSERT_EQ(doc["epochs"].size(), 1u);
  const json& epoch = doc["epochs"][0];
  EXPECT_EQ(epoch["epoch"], 2);
  EXPECT_EQ(epoch["step"], 200);
  EXPECT_EQ(epoch["metrics"]["train_loss"].get<double>(), 0.5);
  EXPECT_EQ(epoch["metrics"]["lr/experts"].get<double>(), 3e-4);
  EXPECT_TRUE(epoch["metrics"]["val_rmse"].is_null());  // NaN

  const json& tasks = doc["final_task_metrics"];
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0]["task"], "family");
  EXPECT_EQ(tasks[0]["labelled_rows"], 900);
  EXPECT_EQ(tasks[0]["weighted_f1"].get<double>(), *record.task_metrics[0].weighted_f1);
  EXPECT_TRUE(tasks[0]["mae"].is_null());
  EXPECT_EQ(tasks[1]["task"], "trophic");
  EXPECT_TRUE(tasks[1]["accuracy"].is_null());
  EXPECT_TRUE(tasks[1]["macro_f1"].is_null());
  EXPECT_EQ(tasks[1]["rmse"].get<double>(), 0.42);

  const json& gates = doc["final_gates"];
  ASSERT_EQ(gates.size(), 2u);
  EXPECT_EQ(gates[0]["task"], "family");
  EXPECT_EQ(gates[0]["utilization"].get<std::vector<double>>(),
            (std::vector<double>{0.4, 0.3, 0.2, 0.1}));
  EXPECT_EQ(gates[0]["entropy_nats"].get<double>(), 1.2799);
  EXPECT_EQ(gates[1]["entropy_normalized"].get<double>(), 1.0);
}

}  // namespace
}  // namespace mmoe::tracking
