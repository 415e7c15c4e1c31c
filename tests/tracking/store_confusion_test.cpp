// Schema version 3: confusion matrices. A version 2 store with data migrates and keeps every row;
// log_epoch stores the diagonal and the non-zero cells; get_history reads the latest matrix back;
// bad matrices are refused; delete, resume and merge know the table.
#include <gtest/gtest.h>

#include "report_fixture.h"
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

const char* const kTables[] = {"experiments", "runs", "params", "tags", "epochs", "metrics",
                               "task_metrics", "class_metrics", "gate_stats", "gate_entropy"};

// A store as a version 2 build wrote it: the released v1 and v2 SQL, their schema_version rows,
// and one run with rows in every table.
void write_version_two_store(const std::filesystem::path& path) {
  exec_sql(path, schema_migrations().at(0).sql);
  exec_sql(path, schema_migrations().at(1).sql);
  exec_sql(path, R"sql(
CREATE TABLE schema_version (version INTEGER PRIMARY KEY, summary TEXT NOT NULL, applied_at TEXT NOT NULL);
INSERT INTO schema_version VALUES (1, 'v1', '2024-05-01T00:00:00.000Z'), (2, 'v2', '2024-06-01T00:00:00.000Z');
INSERT INTO experiments VALUES (1, 'fish', '2024-05-01T00:00:00.000Z');
INSERT INTO runs (id, experiment_id, name, status, config_yaml, config_hash, host, world_size,
                  command_line, monitor, monitor_mode, started_at, ended_at, heartbeat_at,
                  best_epoch, best_metric)
  VALUES ('0123456789ab', 1, 'old', 'finished', 'model: {}', 'abc', 'node1', 2, 'mmoe train',
          'val_weighted_f1', 'max', '2024-05-01T00:00:00.000Z', '2024-05-01T01:00:00.000Z',
          '2024-05-01T01:00:00.000Z', 1, 0.75);
INSERT INTO params VALUES ('0123456789ab', 'model.num_experts', '8');
INSERT INTO tags VALUES ('0123456789ab', 'owner', 'ana');
INSERT INTO epochs VALUES ('0123456789ab', 1, 10, '2024-05-01T00:30:00.000Z');
INSERT INTO metrics VALUES ('0123456789ab', 'val_weighted_f1', 10, 1, 0.75, '2024-05-01T00:30:00.000Z');
INSERT INTO task_metrics (run_id, epoch, task, split, labelled_rows, loss, accuracy, weighted_f1, auc)
  VALUES ('0123456789ab', 1, 'family', 'val', 90, 0.5, 0.8, 0.75, 0.9);
INSERT INTO class_metrics VALUES ('0123456789ab', 1, 'family', 'val', 0, 'Labridae', 0.8, 0.75, 0.7742, 40);
INSERT INTO gate_stats VALUES ('0123456789ab', 1, 'family', 0, 0.5), ('0123456789ab', 1, 'family', 1, 0.5);
INSERT INTO gate_entropy VALUES ('0123456789ab', 1, 'family', 0.6931, 1.0);
)sql");
}

TEST(StoreConfusion, VersionTwoStoreWithDataKeepsEveryRow) {
  TempDir dir;
  const auto path = dir / "v2.db";
  write_version_two_store(path);
  std::vector<Rows> before;
  for (const char* table : kTables) {
    before.push_back(query_rows(path, std::string("SELECT * FROM ") + table + " ORDER BY rowid"));
  }
  Store store = Store::open(path);
  EXPECT_EQ(query_value(path, "SELECT MAX(version) FROM schema_version"), std::to_string(latest_schema_version()));
  EXPECT_EQ(query_value(path, "PRAGMA integrity_check"), "ok");
  for (std::size_t t = 0; t < std::size(kTables); ++t) {
    EXPECT_EQ(query_rows(path, std::string("SELECT * FROM ") + kTables[t] + " ORDER BY rowid"), before[t])
        << kTables[t];
  }
  EXPECT_EQ(query_value(path, "SELECT COUNT(*) FROM confusion_matrix"), "0");
  const RunHistory old = store.get_history("0123");
  EXPECT_TRUE(old.final_confusion.empty());
  ASSERT_EQ(old.gates.size(), 1u);

  // The migrated store takes confusion matrices.
  const std::string id = store.create_run(testing::sample_run("fish"));
  store.log_epoch(id, testing::report_epoch(1));
  EXPECT_EQ(query_value(path, "SELECT COUNT(*) FROM confusion_matrix"), "5");
}

TEST(StoreConfusion, DiagonalAndNonZeroCellsAreStoredAndReadBack) {
  TempDir dir;
  const auto path = dir / "runs.db";
  Store store = Store::open(path);
  const std::string id = testing::log_report_run(store);
  // Epoch 3: [[8, 1, 0], [0, 4, 0], [2, 0, 3]]: the diagonal and two other non-zero cells.
  EXPECT_EQ(query_rows(path, "SELECT true_class, predicted_class, count FROM confusion_matrix "
                             "WHERE epoch = 3 ORDER BY true_class, predicted_class"),
            (Rows{{"0", "0", "8"}, {"0", "1", "1"}, {"1", "1", "4"}, {"2", "0", "2"}, {"2", "2", "3"}}));
  EXPECT_EQ(query_value(path, "SELECT COUNT(*) FROM confusion_matrix"), "15");

  const RunHistory history = store.get_history(id);
  ASSERT_EQ(history.final_confusion.size(), 1u);
  const ConfusionMatrixRecord& matrix = history.final_confusion[0];
  EXPECT_EQ(matrix.task, "family");
  EXPECT_EQ(matrix.split, "val");
  EXPECT_EQ(matrix.num_classes, 3);
  EXPECT_EQ(matrix.counts, (std::vector<int64_t>{8, 1, 0, 0, 4, 0, 2, 0, 3}));

  // A class never seen nor predicted still counts: its diagonal zero is stored.
  EpochRecord sparse = testing::report_epoch(4);
  sparse.confusion_matrices[0].counts = {5, 1, 0, 0, 4, 0, 0, 0, 0};
  store.log_epoch(id, sparse);
  const RunHistory later = store.get_history(id);
  ASSERT_EQ(later.final_confusion.size(), 1u);
  EXPECT_EQ(later.final_confusion[0].num_classes, 3);
  EXPECT_EQ(later.final_confusion[0].counts, (std::vector<int64_t>{5, 1, 0, 0, 4, 0, 0, 0, 0}));

  // History: every epoch's gates and task rows, ascending.
  ASSERT_EQ(later.gates.size(), 4u);
  EXPECT_EQ(later.gates[2].first, 3);
  EXPECT_EQ(later.gates[2].second[0].utilization, (std::vector<double>{0.94, 0.02, 0.02, 0.02}));
  ASSERT_EQ(later.task_metrics.size(), 8u);
  EXPECT_EQ(later.task_metrics[0].first, 1);
  EXPECT_DOUBLE_EQ(*later.task_metrics[0].second.loss, 0.7);
}

TEST(StoreConfusion, BadMatricesAreRefusedBeforeWriting) {
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
  EpochRecord short_counts = testing::report_epoch(1);
  short_counts.confusion_matrices[0].counts.pop_back();
  EXPECT_NE(error_of(short_counts).find("confusion matrix of task 'family' split 'val' has 8 counts for 3 classes "
                                        "(expected 9)"),
            std::string::npos)
      << error_of(short_counts);
  EpochRecord negative = testing::report_epoch(1);
  negative.confusion_matrices[0].counts[4] = -2;
  EXPECT_NE(error_of(negative).find("has a negative count -2"), std::string::npos);
  EpochRecord empty = testing::report_epoch(1);
  empty.confusion_matrices[0].num_classes = 0;
  EXPECT_NE(error_of(empty).find("has 0 classes"), std::string::npos);
  EXPECT_EQ(store.get_run(id).epochs.size(), 0u);
}

TEST(StoreConfusion, DeleteResumeAndMergeCarryTheTable) {
  TempDir dir;
  const auto path = dir / "runs.db";
  Store store = Store::open(path);
  const std::string id = testing::log_report_run(store);
  store.finish_run(id, RunStatus::kInterrupted);
  store.resume_run(id, 2);
  EXPECT_EQ(query_value(path, "SELECT MAX(epoch) FROM confusion_matrix"), "2");

  Store other = Store::open(dir / "other.db");
  other.merge_from(path);
  EXPECT_EQ(query_value(dir / "other.db", "SELECT COUNT(*) FROM confusion_matrix"), "10");

  store.delete_runs({id});
  EXPECT_EQ(query_value(path, "SELECT COUNT(*) FROM confusion_matrix"), "0");
}

}  // namespace
}  // namespace mmoe::tracking
