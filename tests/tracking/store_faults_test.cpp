// Faults: a damaged store file, and a writer killed with SIGKILL in the middle of a transaction.
// (A missing or read-only directory and a newer schema are in store_open_test.cpp; hostile
// filter strings in store_query_test.cpp; many writers at once in store_concurrency_test.cpp.)
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>

#include "test_store.h"
#include "tracking/store.h"

namespace mmoe::tracking {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::exec_sql;
using testing::query_value;

TEST(StoreFaults, GarbageOverAStoreIsOneLineStoreError) {
  TempDir dir;
  const auto path = dir / "runs.db";
  {
    Store store = Store::open(path);
    const std::string id = store.create_run(testing::sample_run("fish"));
    store.log_epoch(id, testing::sample_epoch_v2(1));
  }
  exec_sql(path, "PRAGMA wal_checkpoint(TRUNCATE)");
  const auto size = fs::file_size(path);
  {
    // Keep the 100-byte header (so SQLite sees a database), overwrite everything after it.
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(100);
    std::mt19937 bits(7);
    for (std::uintmax_t i = 100; i < size; ++i) file.put(static_cast<char>(bits() & 0xff));
  }
  std::string message;
  try {
    Store store = Store::open_existing(path);
    store.list_runs();
  } catch (const StoreError& error) {
    message = error.what();
  }
  ASSERT_FALSE(message.empty()) << "no error from a store full of garbage";
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_NE(message.find(path.string()), std::string::npos) << message;
  EXPECT_TRUE(message.find("corrupt") != std::string::npos ||
              message.find("not an mmoe store") != std::string::npos)
      << message;
}

// The child opens the store with plain SQLite, begins a write transaction, inserts rows (enough
// to spill uncommitted pages into the WAL) and tells the parent, which kills it before COMMIT.
void write_and_wait_to_be_killed(const fs::path& path, const std::string& run_id, int ready_fd) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) _exit(2);
  sqlite3_busy_timeout(db, 30000);
  sqlite3_exec(db, "PRAGMA cache_size = 8", nullptr, nullptr, nullptr);
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) _exit(3);
  const std::string insert =
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
      "INSERT INTO metrics (run_id, key, step, epoch, value, time) "
      "SELECT '" + run_id + "', 'killed_' || i, 0, 99, i, 't' FROM n";
  if (sqlite3_exec(db, insert.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) _exit(4);
  const char ready = 'r';
  if (write(ready_fd, &ready, 1) != 1) _exit(5);
  for (;;) pause();
}

TEST(StoreFaults, WriterKilledMidTransactionLeavesAWorkingStore) {
  TempDir dir;
  const auto path = dir / "runs.db";
  std::string id;
  {
    Store store = Store::open(path);
    id = store.create_run(testing::sample_run("fish"));
    store.log_epoch(id, testing::sample_epoch(1));
  }
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(ready[0]);
    write_and_wait_to_be_killed(path, id, ready[1]);
  }
  close(ready[1]);
  char signal_byte = 0;
  ASSERT_EQ(read(ready[0], &signal_byte, 1), 1) << "the child failed before its insert";
  close(ready[0]);
  EXPECT_GT(fs::file_size(fs::path(path.string() + "-wal")), 0u);
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));

  EXPECT_EQ(query_value(path, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(query_value(path, "SELECT COUNT(*) FROM metrics WHERE key LIKE 'killed_%'"), "0");

  // The run never finished: running now, stale once its heartbeat is old.
  exec_sql(path, "UPDATE runs SET heartbeat_at = '2020-01-01T00:00:00.000Z'");
  Store next = Store::open(path);
  RunSummary summary = next.get_run(id).summary;
  EXPECT_EQ(summary.status, RunStatus::kRunning);
  EXPECT_TRUE(summary.stale);
  EXPECT_EQ(display_status(summary), "stale");

  // The next writer works (and its write refreshes the heartbeat).
  next.log_epoch(id, testing::sample_epoch(2));
  next.finish_run(id, RunStatus::kFinished);
  summary = next.get_run(id).summary;
  EXPECT_EQ(summary.status, RunStatus::kFinished);
  EXPECT_FALSE(summary.stale);
  EXPECT_EQ(summary.epochs_logged, 2);
  EXPECT_EQ(query_value(path, "PRAGMA integrity_check"), "ok");
}

}  // namespace
}  // namespace mmoe::tracking
