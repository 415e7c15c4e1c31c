#include "test_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <cmath>
#include <stdexcept>

namespace mmoe::tracking::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "mmoe-tracking-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  // Tests chmod directories read-only; give write access back so that everything can go.
  namespace fs = std::filesystem;
  std::error_code ignored;
  fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ignored);
  for (auto it = fs::recursive_directory_iterator(path_, ignored);
       it != fs::recursive_directory_iterator(); it.increment(ignored)) {
    if (it->is_directory(ignored)) {
      fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ignored);
    }
  }
  fs::remove_all(path_, ignored);
}

NewRun sample_run(const std::string& experiment, const std::string& name) {
  NewRun run;
  run.experiment = experiment;
  run.name = name;
  run.config_yaml = "model:\n  experts: 4\noptim:\n  lr: 0.0003\n";
  run.config_hash = "3f2a9c";
  run.params = {{"optim.lr", "0.0003"}, {"model.experts", "4"}, {"data.batch_size", "256"}};
  run.tags = {{"owner", "ana"}, {"purpose", "baseline"}};
  run.host = "node07";
  run.world_size = 4;
  run.command_line = "mmoe train --config fish.yaml";
  run.monitor = "val_weighted_f1";
  return run;
}

EpochRecord sample_epoch(int64_t epoch) {
  const double e = static_cast<double>(epoch);
  EpochRecord record;
  record.epoch = epoch;
  record.step = epoch * 100;
  record.metrics = {{"train_loss", 1.0 / e},
                    {"val_loss", 2.0 / e},
                    {"val_weighted_f1", 0.5 + e / 100.0},
                    {"lr/experts", 3e-4}};
  TaskMetricsRecord family;
  family.task = "family";
  family.split = "val";
  family.labelled_rows = 900;
  family.loss = 0.7 / e;
  family.accuracy = 0.6 + e / 100.0;
  family.macro_f1 = 0.4 + e / 100.0;
  family.weighted_f1 = 0.5 + e / 100.0;
  family.micro_f1 = 0.6 + e / 100.0;
  TaskMetricsRecord trophic;
  trophic.task = "trophic";
  trophic.split = "val";
  trophic.labelled_rows = 850;
  trophic.loss = 0.25;
  trophic.mae = 0.31;
  trophic.rmse = 0.42;
  record.task_metrics = {family, trophic};
  record.gates = {GateRecord{"family", {0.4, 0.3, 0.2, 0.1}, 1.2799, 0.9233},
                  GateRecord{"trophic", {0.25, 0.25, 0.25, 0.25}, 1.3863, 1.0}};
  return record;
}

EpochRecord sample_epoch_v2(int64_t epoch) {
  EpochRecord record = sample_epoch(epoch);
  TaskMetricsRecord& family = record.task_metrics.at(0);
  family.auc = 0.91;
  family.classes = {ClassMetricsRecord{0, "Labridae", 0.8, 0.75, 0.7742, 400},
                    ClassMetricsRecord{1, "Gobiidae", 0.5, 1.0, 0.6667, 300},
                    ClassMetricsRecord{2, "Serranidae", std::nan(""), 0.0, 0.0, 200}};
  record.task_metrics.at(1).r2 = 0.64;
  return record;
}

std::vector<std::vector<std::string>> query_rows(const std::filesystem::path& db,
                                                 const std::string& sql) {
  sqlite3* handle = nullptr;
  std::vector<std::vector<std::string>> rows;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << db << ": " << sqlite3_errmsg(handle);
    sqlite3_close(handle);
    return rows;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot prepare " << sql << ": " << sqlite3_errmsg(handle);
  } else {
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        const auto* text = sqlite3_column_text(stmt, c);
        row.push_back(text == nullptr ? "NULL" : reinterpret_cast<const char*>(text));
      }
      rows.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE) ADD_FAILURE() << sql << ": " << sqlite3_errmsg(handle);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  return rows;
}

std::string query_value(const std::filesystem::path& db, const std::string& sql) {
  const auto rows = query_rows(db, sql);
  if (rows.empty() || rows.front().empty()) {
    ADD_FAILURE() << "no value from " << sql;
    return "";
  }
  return rows.front().front();
}

void exec_sql(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                            nullptr),
            SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &message);
  EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (message != nullptr ? message : "");
  sqlite3_free(message);
  sqlite3_close(handle);
}

}  // namespace mmoe::tracking::testing
