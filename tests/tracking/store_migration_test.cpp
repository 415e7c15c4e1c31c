// Schema version 2: a version 1 store with data migrates and keeps every row; the new task
// metrics columns and class metrics round-trip through log_epoch / get_run and the views.
#include <gtest/gtest.h>

#include <cmath>

#include "test_store.h"
#include "tracking/schema.h"
#include "tracking/store.h"

namespace mmoe::tracking {
namespace {

using testing::TempDir;
using testing::exec_sql;
using testing::query_rows;
using testing::query_value;
using Rows = std::vector<std::vector<std::string>>;

const char* const kTables[] = {"experiments", "runs", "params", "tags", "epochs",
                               "metrics", "task_metrics", "gate_stats", "gate_entropy"};

// A store as a version 1 build wrote it: the released v1 SQL and its schema_version row, then
// one run with rows in every table, inserted with plain SQL.
void write_version_one_store(const std::filesystem::path& path) {
  exec_sql(path, schema_migrations().at(0).sql);
  exec_sql(path, R"sql(
CREATE TABLE schema_version (version INTEGER PRIMARY KEY, summary TEXT NOT NULL, applied_at TEXT NOT NULL);
INSERT INTO schema_version VALUES (1, 'v1', '2024-05-01T00:00:00.000Z');
INSERT INTO experiments VALUES (1, 'fish', '2024-05-01T00:00:00.000Z');
INSERT INTO runs (id, experiment_id, name, status, config_yaml, config_hash, host, world_size,
                  command_line, monitor, monitor_mode, started_at, ended_at, heartbeat_at,
                  best_epoch, best_metric)
  VALUES ('0123456789ab', 1, 'old', 'finished', 'model: {}', 'abc', 'node1', 2, 'mmoe train',
          'val_weighted_f1', 'max', '2024-05-01T00:00:00.000Z', '2024-05-01T01:00:00.000Z',
          '2024-05-01T01:00:00.000Z', 2, 0.75);
INSERT INTO params VALUES ('0123456789ab', 'model.num_experts', '8'), ('0123456789ab', 'optim.lr', '0.001');
INSERT INTO tags VALUES ('0123456789ab', 'owner', 'ana');
INSERT INTO epochs VALUES ('0123456789ab', 1, 10, '2024-05-01T00:30:00.000Z'),
                          ('0123456789ab', 2, 20, '2024-05-01T01:00:00.000Z');
INSERT INTO metrics VALUES ('0123456789ab', 'val_weighted_f1', 10, 1, 0.5, 't'),
                           ('0123456789ab', 'val_weighted_f1', 20, 2, 0.75, 't');
INSERT INTO task_metrics (run_id, epoch, task, split, labelled_rows, loss, accuracy, weighted_f1)
  VALUES ('0123456789ab', 2, 'family', 'val', 90, 0.5, 0.8, 0.75);
INSERT INTO gate_stats VALUES ('0123456789ab', 2, 'family', 0, 0.5), ('0123456789ab', 2, 'family', 1, 0.5);
INSERT INTO gate_entropy VALUES ('0123456789ab', 2, 'family', 0.6931, 1.0);
)sql");
}

TEST(StoreMigration, VersionOneStoreWithDataKeepsEveryRow) {
  TempDir dir;
  const auto path = dir / "v1.db";
  write_version_one_store(path);
  std::vector<Rows> before;
  for (const char* table : kTables) {
    before.push_back(query_rows(path, std::string("SELECT * FROM ") + table + " ORDER BY rowid"));
  }

  Store store = Store::open(path);
  EXPECT_EQ(query_value(path, "SELECT MAX(version) FROM schema_version"), "3");
  EXPECT_EQ(query_value(path, "PRAGMA integrity_check"), "ok");
  for (std::size_t t = 0; t < std::size(kTables); ++t) {
    Rows after = query_rows(path, std::string("SELECT * FROM ") + kTables[t] + " ORDER BY rowid");
    if (std::string(kTables[t]) == "task_metrics") {
      for (auto& row : after) {
        ASSERT_EQ(row.size(), 15u);
        EXPECT_EQ((std::vector<std::string>(row.end() - 3, row.end())),
                  (std::vector<std::string>{"NULL", "NULL", "NULL"}));  // samples_f1, auc, r2
        row.resize(12);
      }
    }
    EXPECT_EQ(after, before[t]) << kTables[t];
  }
  EXPECT_EQ(query_value(path, "SELECT COUNT(*) FROM class_metrics"), "0");

  const RunDetail run = store.get_run("0123");
  EXPECT_EQ(run.summary.name, "old");
  EXPECT_EQ(run.summary.best_metric, std::optional<double>(0.75));
  ASSERT_EQ(run.final_task_metrics.size(), 1u);
  EXPECT_EQ(run.final_task_metrics[0].weighted_f1, std::optional<double>(0.75));
  EXPECT_FALSE(run.final_task_metrics[0].auc.has_value());
  EXPECT_TRUE(run.final_task_metrics[0].classes.empty());
  EXPECT_EQ(query_rows(path, "SELECT task, weighted_f1, samples_f1, auc, r2 FROM final_task_metrics"),
            (Rows{{"family", "0.75", "NULL", "NULL", "NULL"}}));

  // The migrated store takes version 2 data.
  const std::string id = store.create_run(testing::sample_run("fish"));
  store.log_epoch(id, testing::sample_epoch_v2(1));
  EXPECT_EQ(query_value(path, "SELECT COUNT(*) FROM class_metrics"), "3");
}

TEST(StoreMigration, NewColumnsAndClassesRoundTrip) {
  TempDir dir;
  const auto path = dir / "runs.db";
  Store store = Store::open(path);
  const std::string id = store.create_run(testing::sample_run("fish"));
  store.log_epoch(id, testing::sample_epoch_v2(1));
  store.log_epoch(id, testing::sample_epoch_v2(2));

  const RunDetail run = store.get_run(id);
  ASSERT_EQ(run.final_task_metrics.size(), 2u);
  const TaskMetricsRecord& family = run.final_task_metrics[0];
  EXPECT_EQ(family.auc, std::optional<double>(0.91));
  EXPECT_FALSE(family.samples_f1.has_value());
  EXPECT_FALSE(family.r2.has_value());
  ASSERT_EQ(family.classes.size(), 3u);
  EXPECT_EQ(family.classes[0].class_name, "Labridae");
  EXPECT_DOUBLE_EQ(family.classes[0].precision, 0.8);
  EXPECT_DOUBLE_EQ(family.classes[0].recall, 0.75);
  EXPECT_DOUBLE_EQ(family.classes[0].f1, 0.7742);
  EXPECT_EQ(family.classes[0].support, 400);
  EXPECT_EQ(family.classes[2].class_index, 2);
  EXPECT_TRUE(std::isnan(family.classes[2].precision));  // NULL in the store
  EXPECT_EQ(run.final_task_metrics[1].r2, std::optional<double>(0.64));
  EXPECT_TRUE(run.final_task_metrics[1].classes.empty());

  EXPECT_EQ(query_rows(path, "SELECT epoch, class_index, class_name, precision, support "
                             "FROM final_class_metrics ORDER BY class_index"),
            (Rows{{"2", "0", "Labridae", "0.8", "400"},
                  {"2", "1", "Gobiidae", "0.5", "300"},
                  {"2", "2", "Serranidae", "NULL", "200"}}));
  EXPECT_EQ(query_value(path, "SELECT COUNT(*) FROM class_metrics"), "6");

  // Logging the epoch again with fewer classes replaces them.
  EpochRecord again = testing::sample_epoch_v2(2);
  again.task_metrics[0].classes.resize(1);
  store.log_epoch(id, again);
  EXPECT_EQ(query_value(path, "SELECT COUNT(*) FROM final_class_metrics"), "1");
}

TEST(StoreMigration, BadClassRowsAreRefusedBeforeWriting) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const std::string id = store.create_run(testing::sample_run("fish"));
  const auto error_of = [&](const EpochRecord& record) -> std::string {
    try {
      store.log_epoch(id, record);
    } catch (const StoreError& error) {
      return error.what();
    }
    return "";
  };
  EpochRecord twice = testing::sample_epoch_v2(1);
  twice.task_metrics[0].classes[1].class_index = 0;
  EXPECT_NE(error_of(twice).find("task 'family' split 'val' class 0 ('Gobiidae') has a class index given twice"),
            std::string::npos)
      << error_of(twice);
  EpochRecord negative = testing::sample_epoch_v2(1);
  negative.task_metrics[0].classes[2].support = -1;
  EXPECT_NE(error_of(negative).find("has a negative support -1"), std::string::npos);
  EXPECT_EQ(store.get_run(id).epochs.size(), 0u);
}

}  // namespace
}  // namespace mmoe::tracking
