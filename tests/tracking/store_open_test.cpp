// Store::open / open_existing: connection settings, migrations, and the message for each way a
// path can fail to be a store.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <random>

#include "test_store.h"
#include "tracking/schema.h"
#include "tracking/store.h"

namespace mmoe::tracking {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::exec_sql;
using testing::query_rows;
using testing::query_value;
using testing::sample_run;

std::string open_error(const fs::path& path, bool existing = false) {
  try {
    if (existing) {
      Store::open_existing(path);
    } else {
      Store::open(path);
    }
  } catch (const StoreError& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected a StoreError opening " << path;
  return "";
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

TEST(StoreOpen, CreatesTheLatestSchemaVersionWithWal) {
  TempDir dir;
  const auto path = dir / "runs.db";
  { Store store = Store::open(path); }
  EXPECT_EQ(query_rows(path, "SELECT version FROM schema_version ORDER BY version"),
            (std::vector<std::vector<std::string>>{{"1"}, {"2"}, {"3"}, {"4"}}));
  EXPECT_EQ(query_value(path, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(query_value(path, "PRAGMA application_id"), "1296912197");
  EXPECT_EQ(query_value(path, "PRAGMA integrity_check"), "ok");
  EXPECT_TRUE(query_rows(path, "PRAGMA foreign_key_check").empty());
}

TEST(StoreOpen, ReopeningKeepsDataAndDoesNotMigrateTwice) {
  TempDir dir;
  const auto path = dir / "runs.db";
  std::string id;
  {
    Store store = Store::open(path);
    id = store.create_run(sample_run("fish"));
  }
  Store again = Store::open(path);
  EXPECT_EQ(again.get_run(id).summary.id, id);
  Store existing = Store::open_existing(path);
  EXPECT_EQ(existing.list_runs().size(), 1u);
  EXPECT_EQ(existing.path(), path);
  EXPECT_EQ(query_value(path, "SELECT COUNT(*) FROM schema_version"), std::to_string(latest_schema_version()));
}

TEST(StoreOpen, ForeignKeysCascadeFromRuns) {
  TempDir dir;
  const auto path = dir / "runs.db";
  Store store = Store::open(path);
  const std::string id = store.create_run(sample_run("fish"));
  store.log_epoch(id, testing::sample_epoch_v2(1));
  EXPECT_EQ(query_value(path, "SELECT COUNT(*) FROM class_metrics"), "3");
  exec_sql(path, "PRAGMA foreign_keys = ON; DELETE FROM runs;");
  for (const char* table : {"params", "tags", "epochs", "metrics", "task_metrics",
                            "class_metrics", "gate_stats", "gate_entropy"}) {
    EXPECT_EQ(query_value(path, std::string("SELECT COUNT(*) FROM ") + table), "0") << table;
  }
}

TEST(StoreOpen, MissingDirectoryIsNamed) {
  TempDir dir;
  const auto path = dir / "missing" / "runs.db";
  EXPECT_EQ(open_error(path), "cannot create store '" + path.string() + "': directory '" +
                                  (dir / "missing").string() +
                                  "' does not exist; create it or set tracking.store");
  EXPECT_FALSE(fs::exists(dir / "missing"));
}

TEST(StoreOpen, UnwritableSystemDirectoryIsNamed) {
  // /proc accepts no new files, even for root.
  const fs::path path = "/proc/mmoe-tracking-test.db";
  if (!fs::is_directory("/proc")) GTEST_SKIP() << "no /proc on this system";
  const std::string message = open_error(path);
  EXPECT_TRUE(starts_with(message, "cannot create store '/proc/mmoe-tracking-test.db': directory "
                                   "'/proc' is not writable"))
      << message;
}

TEST(StoreOpen, ReadOnlyDirectoryIsNamed) {
  TempDir dir;
  const fs::path locked = dir / "locked";
  fs::create_directory(locked);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
  if (access(locked.c_str(), W_OK) == 0) {
    GTEST_SKIP() << "running as root (or with CAP_DAC_OVERRIDE): chmod 0500 does not stop "
                    "writes; UnwritableSystemDirectoryIsNamed covers this case";
  }
  const auto path = locked / "runs.db";
  const std::string message = open_error(path);
  EXPECT_TRUE(starts_with(message, "cannot create store '" + path.string() + "': directory '" +
                                       locked.string() + "' is not writable"))
      << message;
}

TEST(StoreOpen, ReadOnlyStoreCanStillBeQueried) {
  TempDir dir;
  const fs::path shared = dir / "shared";
  fs::create_directory(shared);
  const auto path = shared / "runs.db";
  std::string id;
  {
    Store store = Store::open(path);
    id = store.create_run(sample_run("fish"));
  }
  fs::permissions(path, fs::perms::owner_read);
  fs::permissions(shared, fs::perms::owner_read | fs::perms::owner_exec);
  if (access(shared.c_str(), W_OK) == 0) {
    GTEST_SKIP() << "running as root (or with CAP_DAC_OVERRIDE): chmod does not make the store "
                    "read-only";
  }
  const std::string message = open_error(path);
  EXPECT_TRUE(starts_with(message, "cannot open store '" + path.string() + "' for writing"))
      << message;
  Store reader = Store::open_existing(path);  // no -shm can be created: opened immutable
  EXPECT_EQ(reader.get_run(id).summary.id, id);
  EXPECT_THROW(reader.finish_run(id, RunStatus::kFinished), StoreError);
}

TEST(StoreOpen, RandomBytesAreNotAStore) {
  TempDir dir;
  const auto path = dir / "noise.db";
  {
    std::ofstream out(path, std::ios::binary);
    std::mt19937 bits(42);
    for (int i = 0; i < 8192; ++i) out.put(static_cast<char>(bits() & 0xff));
  }
  const std::string expected = "'" + path.string() + "' is not an mmoe store (file is not a database)";
  EXPECT_TRUE(starts_with(open_error(path), expected)) << open_error(path);
  EXPECT_TRUE(starts_with(open_error(path, /*existing=*/true), expected));
  EXPECT_EQ(fs::file_size(path), 8192u);  // left untouched
}

TEST(StoreOpen, OtherSqliteDatabaseIsNotAStore) {
  TempDir dir;
  const auto path = dir / "other.db";
  exec_sql(path, "CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)");
  EXPECT_TRUE(starts_with(open_error(path), "'" + path.string() + "' is not an mmoe store"))
      << open_error(path);
  exec_sql(path, "PRAGMA application_id = 42");
  EXPECT_NE(open_error(path).find("another application, id 42"), std::string::npos);
}

TEST(StoreOpen, NewerSchemaVersionAsksForAnUpgrade) {
  TempDir dir;
  const auto path = dir / "runs.db";
  { Store store = Store::open(path); }
  exec_sql(path, "UPDATE schema_version SET version = 99 WHERE version = " +
                     std::to_string(latest_schema_version()));
  const std::string expected = "store '" + path.string() + "' has schema version 99 but this mmoe knows up to " +
                               std::to_string(latest_schema_version()) + "; upgrade mmoe-trainer";
  EXPECT_EQ(open_error(path), expected);
  EXPECT_EQ(open_error(path, /*existing=*/true), expected);
  EXPECT_EQ(query_value(path, "SELECT MAX(version) FROM schema_version"), "99");
}

TEST(StoreOpen, OpenExistingOfMissingFile) {
  TempDir dir;
  const auto path = dir / "runs.db";
  EXPECT_EQ(open_error(path, /*existing=*/true),
            "no store at '" + path.string() + "'; train a run first or pass --store PATH");
  EXPECT_FALSE(fs::exists(path));
}

TEST(StoreOpen, DirectoryIsNotAStorePath) {
  TempDir dir;
  EXPECT_NE(open_error(dir.path()).find("is a directory"), std::string::npos);
}

TEST(StoreOpen, MovedStoreKeepsWorking) {
  TempDir dir;
  const auto path = dir / "runs.db";
  std::string id;
  {
    Store store = Store::open(path);
    id = store.create_run(sample_run("fish"));
    Store moved = std::move(store);
    moved.log_epoch(id, testing::sample_epoch(1));
    store = std::move(moved);
    store.finish_run(id, RunStatus::kFinished);
  }
  EXPECT_EQ(Store::open_existing(path).get_run(id).summary.status, RunStatus::kFinished);
}

}  // namespace
}  // namespace mmoe::tracking
