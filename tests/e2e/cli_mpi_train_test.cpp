// `mmoe train` under `mpirun -np 2` (labels e2e, mpi): one run recorded by rank 0 whose metrics
// match one process with the doubled batch, and a rank killed with SIGKILL mid-epoch ends the
// job non-zero with the run marked failed, long before distributed.timeout_s.
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/store_probe.h"

namespace mmoe::e2e {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class MpiTrain : public MmoeCli {
 protected:
  void SetUp() override {
    MmoeCli::SetUp();
    // OpenMPI refuses to run as root (containers, CI) unless told; the ranks inherit these.
    ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 0);
    ::setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 0);
    ::setenv("OPENBLAS_NUM_THREADS", "1", 1);
  }
  // mpirun -np `ranks` --oversubscribe mmoe args...
  std::vector<std::string> mpirun_args(int ranks, const std::vector<std::string>& mmoe_args) const {
    std::vector<std::string> args = {"-np", std::to_string(ranks), "--oversubscribe", mmoe_binary()};
    args.insert(args.end(), mmoe_args.begin(), mmoe_args.end());
    return args;
  }
  std::vector<std::string> train_args(const fs::path& store, int64_t batch, int64_t epochs) const {
    return {"train",
            config_path_.string(),
            "tracking.store=" + store.string(),
            "train.batch_size=" + std::to_string(batch),
            "train.epochs=" + std::to_string(epochs),
            "train.checkpoint_dir=" + (test_dir_ / "checkpoints").string()};
  }
};

// The fixture's dataset: 3000 rows, 2100 for training (even), so 2 ranks x 32 rows per step are
// exactly one process's 64-row steps.
TEST_F(MpiTrain, TwoRanksRecordOneRunThatMatchesOneProcessWithTheDoubledBatch) {
  const auto distributed_store = test_dir_ / "mpi.db";
  const auto mpi = run(MMOE_MPIEXEC, mpirun_args(2, train_args(distributed_store, 32, 3)), test_dir_);
  ASSERT_EQ(mpi.exit_code, 0) << mpi.out << mpi.err;
  const auto single_store = test_dir_ / "single.db";
  const auto single = mmoe(train_args(single_store, 64, 3));
  ASSERT_EQ(single.exit_code, 0) << single.err;

  // One run, by rank 0, recorded with its world; one final table on stdout.
  const auto runs = query(distributed_store, "SELECT status, world_size FROM runs");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0], (std::vector<std::string>{"finished", "2"}));
  size_t tables = 0;
  for (size_t at = mpi.out.find("final validation metrics"); at != std::string::npos;
       at = mpi.out.find("final validation metrics", at + 1)) {
    ++tables;
  }
  EXPECT_EQ(tables, 1u) << mpi.out;
  size_t checkpoint_runs = 0;
  for (const auto& entry : fs::directory_iterator(test_dir_ / "checkpoints")) checkpoint_runs += entry.is_directory();
  EXPECT_EQ(checkpoint_runs, 2u);  // the distributed run's and the single run's

  const std::string sql =
      "SELECT epoch, task, split, loss, accuracy, weighted_f1, rmse FROM task_metrics ORDER BY epoch, task, split";
  const auto got = query(distributed_store, sql);
  const auto want = query(single_store, sql);
  ASSERT_EQ(got.size(), want.size());
  ASSERT_FALSE(want.empty());
  for (size_t i = 0; i < want.size(); ++i) {
    for (size_t c = 0; c < 3; ++c) EXPECT_EQ(got[i][c], want[i][c]);
    for (size_t c = 3; c < want[i].size(); ++c) {
      if (want[i][c] == "NULL") {
        EXPECT_EQ(got[i][c], "NULL");
      } else {
        EXPECT_NEAR(std::stod(got[i][c]), std::stod(want[i][c]), 1e-4)
            << "epoch " << want[i][0] << " task " << want[i][1] << " " << want[i][2] << " column " << c;
      }
    }
  }
}

// The pid of the mmoe process of MPI rank `rank` whose command line mentions `marker`, or -1.
pid_t find_rank(int rank, const std::string& marker) {
  const std::string wanted = "OMPI_COMM_WORLD_RANK=" + std::to_string(rank);
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return -1;
  pid_t found = -1;
  while (const dirent* entry = ::readdir(proc)) {
    const std::string name = entry->d_name;
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto cmdline = read_file(fs::path("/proc") / name / "cmdline");
    if (cmdline.find(marker) == std::string::npos || cmdline.find("mpirun") != std::string::npos) continue;
    const auto environ = read_file(fs::path("/proc") / name / "environ");
    std::istringstream variables(environ);
    for (std::string variable; std::getline(variables, variable, '\0');) {
      if (variable == wanted) found = static_cast<pid_t>(std::stol(name));
    }
  }
  ::closedir(proc);
  return found;
}

TEST_F(MpiTrain, ARankKilledMidEpochEndsTheJobAndTheRunIsFailed) {
  const auto store = test_dir_ / "killed.db";
  auto args = train_args(store, 32, 500);
  args.push_back("distributed.timeout_s=120");
  const pid_t mpirun = spawn(MMOE_MPIEXEC, mpirun_args(2, args), test_dir_);
  // Wait until an epoch is recorded: both ranks are deep in training.
  pid_t victim = -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
  while (std::chrono::steady_clock::now() < deadline) {
    std::vector<std::vector<std::string>> epochs;
    try {
      epochs = query(store, "SELECT COUNT(*) FROM epochs");
    } catch (const std::exception&) {
      // The store is being written by rank 0 (locked) or not created yet: ask again.
    }
    if (!epochs.empty() && epochs[0][0] != "0") {
      victim = find_rank(1, store.string());
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_GT(victim, 0) << "rank 1 of the job was not found\n" << read_file(test_dir_ / "stderr.txt");
  const auto killed_at = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(victim, SIGKILL), 0);

  // The job must end on its own, well before distributed.timeout_s (120 s).
  int status = 0;
  bool hung = true;
  while (std::chrono::steady_clock::now() - killed_at < std::chrono::seconds(60)) {
    if (::waitpid(mpirun, &status, WNOHANG) == mpirun) {
      hung = false;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (hung) {
    ::kill(mpirun, SIGKILL);
    ::waitpid(mpirun, &status, 0);
  }
  const auto log = read_file(test_dir_ / "stdout.txt") + read_file(test_dir_ / "stderr.txt");
  ASSERT_FALSE(hung) << log;
  EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << log;
  const auto runs = query(store, "SELECT status, error FROM runs");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0][0], "failed") << log;
  // Rank 0 was waiting in a collective rank 1 never finished; mpirun's SIGTERM interrupted it.
  EXPECT_THAT(runs[0][1], HasSubstr("interrupted by a stop signal while waiting")) << log;
  EXPECT_THAT(runs[0][1], HasSubstr("on rank 0 of 2")) << log;
}

}  // namespace
}  // namespace mmoe::e2e
