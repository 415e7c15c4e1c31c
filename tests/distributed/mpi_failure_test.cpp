// A failing or straggling rank ends the whole mpirun job with a non-zero status instead of
// leaving the others waiting: mpirun runs mpi_failure_probe; the test kills it only if it hangs.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include <sys/wait.h>

#include "tests/e2e/process_runner.h"

namespace mmoe::distributed {
namespace {

struct Outcome {
  bool hung = false;  // still running at the limit, then killed
  e2e::ProcessResult result;
};

// Runs mpirun -np `ranks` probe args..., killing it if it runs past `limit`.
Outcome run_job(int ranks, const std::vector<std::string>& probe_args, std::chrono::seconds limit) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("mmoe_mpi_failure_" + std::to_string(::getpid()) + "_" + probe_args.front());
  std::filesystem::create_directories(dir);
  std::vector<std::string> args = {"-np", std::to_string(ranks), "--oversubscribe", MMOE_FAILURE_PROBE};
  args.insert(args.end(), probe_args.begin(), probe_args.end());
  // OpenMPI refuses to run as root (containers, CI) unless told; the ranks inherit this.
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 0);
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 0);
  const pid_t pid = e2e::spawn(MMOE_MPIEXEC, args, dir);
  Outcome outcome;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      outcome.hung = true;
      ::kill(pid, SIGTERM);  // mpirun forwards it to the ranks
      std::this_thread::sleep_for(std::chrono::seconds(5));
      ::kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  outcome.result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  outcome.result.out = e2e::read_file(dir / "stdout.txt");
  outcome.result.err = e2e::read_file(dir / "stderr.txt");
  std::filesystem::remove_all(dir);
  return outcome;
}

TEST(MpiFailure, ARankThatThrowsEndsTheJobNonZero) {
  // The other ranks wait in a barrier with a 600 s timeout: only the abort can end them early.
  const auto outcome = run_job(3, {"throw"}, std::chrono::seconds(240));
  const auto all = outcome.result.out + outcome.result.err;
  EXPECT_FALSE(outcome.hung) << all;
  EXPECT_NE(outcome.result.exit_code, 0) << all;
  EXPECT_NE(all.find("probe: rank 1 failed: injected failure on purpose"), std::string::npos) << all;
}

TEST(MpiFailure, ATimeoutNamesTheRankThatHasNotJoined) {
  // Rank 1 sleeps 20 x timeout_s (4 s) before the all-reduce that ranks 0 and 2 wait in.
  const auto outcome = run_job(3, {"sleep", "4"}, std::chrono::seconds(240));
  const auto all = outcome.result.out + outcome.result.err;
  EXPECT_FALSE(outcome.hung) << all;
  EXPECT_NE(outcome.result.exit_code, 0) << all;
  EXPECT_NE(all.find("all_reduce #1 did not complete within 4 s"), std::string::npos) << all;
  EXPECT_NE(all.find("rank 1 has not joined it"), std::string::npos) << all;
  EXPECT_NE(all.find("distributed.timeout_s"), std::string::npos) << all;
  EXPECT_EQ(all.find("rank 2 has not joined"), std::string::npos) << all;
}

}  // namespace
}  // namespace mmoe::distributed
