// Many processes writing one store at once (a sweep's trials on one node): 16 forked writers
// plus the parent, 100 epochs each; every row lands, nobody sees an error (no "database is
// locked"), the file stays intact.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <exception>

#include "test_store.h"
#include "tracking/store.h"

namespace mmoe::tracking {
namespace {

using testing::TempDir;
using testing::query_value;

constexpr int kChildren = 16;
constexpr int kEpochs = 100;
constexpr int kExperts = 4;

// Writer `writer` logs train_loss = writer * 1000 + epoch, so every value is traceable.
EpochRecord writer_epoch(int writer, int64_t epoch) {
  EpochRecord record;
  record.epoch = epoch;
  record.step = epoch * 10;
  record.metrics = {{"train_loss", writer * 1000.0 + static_cast<double>(epoch)},
                    {"val_weighted_f1", static_cast<double>(epoch) / 100.0}};
  TaskMetricsRecord row;
  row.task = "family";
  row.split = "val";
  row.labelled_rows = writer;
  row.weighted_f1 = static_cast<double>(epoch) / 100.0;
  record.task_metrics = {row};
  record.gates = {GateRecord{"family", std::vector<double>(kExperts, 1.0 / kExperts), 1.38, 1.0}};
  return record;
}

// One trial: open (maybe creating and migrating the store at the same moment as the others),
// create a run, log every epoch, finish.
void write_trial(const std::filesystem::path& path, int writer) {
  Store store = Store::open(path);
  const std::string id =
      store.create_run(testing::sample_run("sweep", "writer-" + std::to_string(writer)));
  for (int64_t epoch = 1; epoch <= kEpochs; ++epoch) {
    store.log_epoch(id, writer_epoch(writer, epoch));
    store.set_best(id, epoch, static_cast<double>(epoch) / 100.0);
  }
  store.finish_run(id, RunStatus::kFinished);
}

TEST(StoreConcurrency, ForkedWritersAllLand) {
  TempDir dir;
  const auto path = dir / "sweep.db";  // not created yet: the writers race to create it

  int start[2];
  ASSERT_EQ(pipe(start), 0);
  std::vector<pid_t> children;
  for (int writer = 1; writer <= kChildren; ++writer) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0) << "fork failed";
    if (pid == 0) {
      close(start[1]);
      char go = 0;
      const bool started = read(start[0], &go, 1) == 0;  // EOF: the parent released everyone
      int code = started ? 0 : 3;
      try {
        write_trial(path, writer);
      } catch (const std::exception& error) {
        std::fprintf(stderr, "writer %d: %s\n", writer, error.what());
        code = std::string(error.what()).find("locked") != std::string::npos ? 4 : 1;
      } catch (...) {
        code = 2;
      }
      _exit(code);
    }
    children.push_back(pid);
  }
  close(start[0]);
  close(start[1]);  // releases all children at once
  EXPECT_NO_THROW(write_trial(path, 0));

  for (const pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << "writer process " << pid << " crashed";
    EXPECT_EQ(WEXITSTATUS(status), 0) << "writer process " << pid << " failed (see stderr)";
  }

  const int writers = kChildren + 1;
  EXPECT_EQ(query_value(path, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(query_value(path, "SELECT COUNT(*) FROM schema_version"), "3");
  EXPECT_EQ(query_value(path, "SELECT COUNT(*) FROM experiments"), "1");
  EXPECT_EQ(query_value(path, "SELECT COUNT(*) FROM runs WHERE status = 'finished'"),
            std::to_string(writers));
  EXPECT_EQ(query_value(path, "SELECT COUNT(*) FROM epochs"), std::to_string(writers * kEpochs));
  EXPECT_EQ(query_value(path, "SELECT COUNT(*) FROM metrics"),
            std::to_string(writers * kEpochs * 2));
  EXPECT_EQ(query_value(path, "SELECT COUNT(*) FROM task_metrics"),
            std::to_string(writers * kEpochs));
  EXPECT_EQ(query_value(path, "SELECT COUNT(*) FROM gate_stats"),
            std::to_string(writers * kEpochs * kExperts));

  Store store = Store::open_existing(path);
  RunFilter all;
  all.limit = -1;
  const auto runs = store.list_runs(all);
  ASSERT_EQ(runs.size(), static_cast<std::size_t>(writers));
  for (const RunSummary& summary : runs) {
    const int writer = std::stoi(summary.name.substr(std::string("writer-").size()));
    const RunDetail run = store.get_run(summary.id);
    ASSERT_EQ(run.epochs.size(), static_cast<std::size_t>(kEpochs)) << summary.name;
    for (const EpochRow& row : run.epochs) {
      EXPECT_EQ(row.metrics.at("train_loss"), writer * 1000.0 + static_cast<double>(row.epoch));
    }
    EXPECT_EQ(run.summary.best_epoch, std::optional<int64_t>(kEpochs));
    ASSERT_EQ(run.final_task_metrics.size(), 1u);
    EXPECT_EQ(run.final_task_metrics[0].labelled_rows, writer);
  }
}

}  // namespace
}  // namespace mmoe::tracking
