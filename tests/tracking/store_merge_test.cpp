// Store::merge_from: experiments and runs with all their rows are copied; identical runs are
// skipped; a run that differs is an error naming it and leaves the target as it was.
#include <gtest/gtest.h>

#include "test_store.h"
#include "tracking/store.h"

namespace mmoe::tracking {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::exec_sql;
using testing::query_rows;
using testing::query_value;

const char* const kRunTables[] = {"runs", "params", "tags", "epochs", "metrics", "task_metrics",
                                  "class_metrics", "gate_stats", "gate_entropy"};

// One finished run with two v2 epochs in a new store at `path`.
std::string write_store(const fs::path& path, const std::string& experiment, const std::string& name) {
  Store store = Store::open(path);
  const std::string id = store.create_run(testing::sample_run(experiment, name));
  store.log_epoch(id, testing::sample_epoch_v2(1));
  store.log_epoch(id, testing::sample_epoch_v2(2));
  store.set_best(id, 2, 0.52);
  store.finish_run(id, RunStatus::kFinished);
  return id;
}

std::string counts(const fs::path& path) {
  std::string out;
  for (const char* table : kRunTables) {
    out += query_value(path, std::string("SELECT COUNT(*) FROM ") + table) + " ";
  }
  return out;
}

std::string merge_error(Store& target, const fs::path& source) {
  try {
    target.merge_from(source);
  } catch (const StoreError& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected a StoreError merging " << source;
  return "";
}

TEST(StoreMerge, CopiesEverythingIntoANewStoreAndSkipsIdenticalRuns) {
  TempDir dir;
  const auto a = dir / "a.db";
  const auto b = dir / "b.db";
  const auto into = dir / "merged.db";
  const std::string fish = write_store(a, "fish", "fish-1");
  const std::string fashion = write_store(b, "fashion", "fashion-1");
  { Store extra = Store::open(b); extra.create_run(testing::sample_run("fish", "fish-2")); }

  Store target = Store::open(into);
  const MergeReport first = target.merge_from(a);
  EXPECT_EQ(first.runs_copied, 1);
  EXPECT_EQ(first.runs_identical, 0);
  EXPECT_EQ(first.experiments_created, 1);
  const MergeReport second = target.merge_from(b);
  EXPECT_EQ(second.runs_copied, 2);
  EXPECT_EQ(second.experiments_created, 1);  // fashion; fish was there

  // "1 2 2 4 8 4 6 16 4 " per store with one such run: runs params tags epochs metrics
  // task_metrics class_metrics gate_stats gate_entropy.
  EXPECT_EQ(counts(a), "1 3 2 2 8 4 6 16 4 ");
  EXPECT_EQ(counts(into), "3 9 6 4 16 8 12 32 8 ");
  EXPECT_EQ(query_rows(into, "SELECT name FROM experiments ORDER BY name"),
            (std::vector<std::vector<std::string>>{{"fashion"}, {"fish"}}));
  const RunDetail copied = target.get_run(fish);
  const RunDetail original = Store::open_existing(a).get_run(fish);
  EXPECT_EQ(copied.summary.experiment, "fish");
  EXPECT_EQ(copied.summary.best_metric, original.summary.best_metric);
  EXPECT_EQ(copied.summary.started_at, original.summary.started_at);
  EXPECT_EQ(copied.params, original.params);
  EXPECT_EQ(copied.epochs.size(), 2u);
  EXPECT_EQ(copied.final_task_metrics.at(0).classes.size(), 3u);
  EXPECT_EQ(copied.final_gates.size(), 2u);
  EXPECT_EQ(target.get_run(fashion).summary.experiment, "fashion");

  const MergeReport again = target.merge_from(a);
  EXPECT_EQ(again.runs_copied, 0);
  EXPECT_EQ(again.runs_identical, 1);
  EXPECT_EQ(counts(into), "3 9 6 4 16 8 12 32 8 ");
  EXPECT_EQ(query_value(into, "PRAGMA integrity_check"), "ok");
  EXPECT_TRUE(query_rows(into, "PRAGMA foreign_key_check").empty());
}

TEST(StoreMerge, DifferentContentIsAnErrorAndNothingOfThatSourceIsCopied) {
  TempDir dir;
  const auto a = dir / "a.db";
  const auto changed = dir / "changed.db";
  const auto into = dir / "merged.db";
  const std::string id = write_store(a, "fish", "fish-1");
  fs::copy_file(a, changed);
  exec_sql(changed, "UPDATE metrics SET value = 0.99 WHERE key = 'val_weighted_f1' AND epoch = 2");
  { Store more = Store::open(changed); more.create_run(testing::sample_run("birds", "new")); }

  Store target = Store::open(into);
  target.merge_from(a);
  const std::string before = counts(into);
  const std::string message = merge_error(target, changed);
  EXPECT_EQ(message, "cannot merge store '" + changed.string() + "' into '" + into.string() +
                         "': run '" + id + "' is in both with different content (table metrics); "
                         "nothing of '" + changed.string() +
                         "' was copied; delete one copy (mmoe runs delete) first");
  EXPECT_EQ(counts(into), before);
  EXPECT_EQ(query_value(into, "SELECT COUNT(*) FROM experiments WHERE name = 'birds'"), "0");
}

TEST(StoreMerge, BadSources) {
  TempDir dir;
  const auto into = dir / "merged.db";
  write_store(into, "fish", "fish-1");
  Store target = Store::open(into);
  EXPECT_EQ(merge_error(target, into),
            "cannot merge store '" + into.string() + "' into itself; pass a different --into");
  EXPECT_EQ(merge_error(target, dir / "missing.db"),
            "no store at '" + (dir / "missing.db").string() + "'; train a run first or pass --store PATH");
  exec_sql(dir / "other.db", "CREATE TABLE photos (id INTEGER)");
  EXPECT_NE(merge_error(target, dir / "other.db").find("is not an mmoe store"), std::string::npos);
  EXPECT_EQ(counts(into), "1 3 2 2 8 4 6 16 4 ");
}

}  // namespace
}  // namespace mmoe::tracking
