#pragma once
// Helpers shared by the tracking tests: a temporary directory per test, sample runs and epochs
// with hand-picked values, and raw SQL access that bypasses mmoe::tracking.
#include <filesystem>
#include <string>
#include <vector>

#include "tracking/store.h"

namespace mmoe::tracking::testing {

// A fresh directory under the system temp dir, removed (with its contents) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// A run of `experiment` with a resolved config, three params (not in key order), two tags,
// no git commit, world size 4 and monitor val_weighted_f1.
NewRun sample_run(const std::string& experiment, const std::string& name = "");

// Epoch `epoch` (1-based) of a two-task run: metrics train_loss = 1/epoch, val_loss = 2/epoch,
// val_weighted_f1 = 0.5 + epoch/100, lr/experts = 3e-4; task metrics for "family" (multiclass:
// loss, accuracy, F1s; no MAE/RMSE) and "trophic" (regression: loss, MAE, RMSE only) on val;
// gates for both tasks over 4 experts.
EpochRecord sample_epoch(int64_t epoch);

// sample_epoch plus the schema version 2 values: family gets auc 0.91 and three classes
// (Labridae p 0.8 r 0.75 f1 0.7742 support 400; Gobiidae p 0.5 r 1 f1 0.6667 support 300;
// Serranidae p NaN r 0 f1 0 support 200), trophic gets r2 0.64.
EpochRecord sample_epoch_v2(int64_t epoch);

// Rows of a query run with the raw sqlite3 API, every value as text ("NULL" for NULL).
std::vector<std::vector<std::string>> query_rows(const std::filesystem::path& db,
                                                 const std::string& sql);
// One value: the first column of the first row.
std::string query_value(const std::filesystem::path& db, const std::string& sql);
// Executes SQL with the raw sqlite3 API; fails the test on an error.
void exec_sql(const std::filesystem::path& db, const std::string& sql);

}  // namespace mmoe::tracking::testing
