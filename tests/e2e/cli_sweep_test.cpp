// mmoe sweep: a 4-trial local grid sweep with parallelism 2 on the synthetic dataset (runs
// linked to the sweep, `sweep best` against a SQL max, resume reruns nothing), the slurm
// executor's array script and `sweep run-trial`, and bad sweep files refused before any trial.
#include <chrono>
#include <thread>

#include <gmock/gmock.h>

#include <cstdlib>
#include <regex>

#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/store_probe.h"

namespace mmoe::e2e {
namespace {

using ::testing::HasSubstr;

class CliSweep : public MmoeCli {
 protected:
  std::filesystem::path sweep_file(const std::string& name, const std::string& extra = "") const {
    return write_file(name + ".yaml", "name: " + name + "\nbase: " + config_path_.string() +
                                          "\nmethod: grid\nparallelism: 2\n" + extra +
                                          "parameters:\n"
                                          "  model.num_experts: {values: [2, 3]}\n"
                                          "  optim.lr: {values: [0.003, 0.01]}\n"
                                          "  train.epochs: {values: [3]}\n");
  }
  std::string sweep_id() const {
    const auto rows = query(store_, "SELECT id FROM sweeps");
    return rows.size() == 1 ? rows[0][0] : "";
  }
};

TEST_F(CliSweep, LocalGridSweepBestAndResume) {
  const auto file = sweep_file("grid4");
  auto r = mmoe({"sweep", "run", file.string(), "--store", store_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("finished: 4 trial processes started"));
  const std::string id = sweep_id();
  ASSERT_EQ(id.size(), 12u);

  // Four finished runs, one per trial, each with its grid point (trial 2 = experts 3, lr 0.003).
  const auto runs = query(store_, "SELECT trial, status FROM runs WHERE sweep_id = '" + id + "' ORDER BY trial");
  EXPECT_EQ(runs, (std::vector<std::vector<std::string>>{
                      {"0", "finished"}, {"1", "finished"}, {"2", "finished"}, {"3", "finished"}}));
  EXPECT_EQ(query(store_, "SELECT p.value FROM params AS p JOIN runs AS r ON r.id = p.run_id WHERE r.sweep_id = '" + id +
                              "' AND r.trial = 2 AND p.key IN ('model.num_experts', 'optim.lr', 'train.epochs') "
                              "ORDER BY p.key"),
            (std::vector<std::vector<std::string>>{{"3"}, {"0.003"}, {"3"}}));
  EXPECT_EQ(query(store_, "SELECT COUNT(*) FROM epochs AS e JOIN runs AS r ON r.id = e.run_id WHERE r.sweep_id = '" + id +
                              "'")[0][0],
            "12");
  EXPECT_EQ(query(store_, "SELECT status, method, objective FROM sweeps")[0],
            (std::vector<std::string>{"finished", "grid", "val_weighted_f1"}));

  // sweep best == the SQL max of val_weighted_f1 over the sweep's runs.
  const auto top = query(store_,
                         "SELECT r.id, r.trial, m.value FROM metrics AS m JOIN runs AS r ON r.id = m.run_id "
                         "WHERE r.sweep_id = '" + id + "' AND m.key = 'val_weighted_f1' "
                         "ORDER BY m.value DESC, r.trial LIMIT 1");
  ASSERT_EQ(top.size(), 1u);
  r = mmoe({"sweep", "best", id, "--store", store_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("trial " + top[0][1] + "\nrun " + top[0][0] + "\n"));
  std::smatch match;
  ASSERT_TRUE(std::regex_search(r.out, match, std::regex("val_weighted_f1 ([0-9.eE+-]+) at epoch"))) << r.out;
  EXPECT_NEAR(std::stod(match[1].str()), std::stod(top[0][2]), 1e-12);

  r = mmoe({"sweep", "status", "grid4", "--store", store_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("trials: 4 finished"));
  EXPECT_THAT(r.out, HasSubstr("model.num_experts=3 optim.lr=0.003 train.epochs=3"));

  // Re-running resumes: nothing left to run, no new runs.
  r = mmoe({"sweep", "run", file.string(), "--store", store_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("finished: 0 trial processes started"));
  EXPECT_EQ(query(store_, "SELECT COUNT(*) FROM runs")[0][0], "4");
  // Each trial process's lifetime is tagged (for the overhead bench).
  EXPECT_EQ(query(store_, "SELECT COUNT(*) FROM tags WHERE key = 'mmoe.sweep.process_seconds'")[0][0], "4");
}

TEST_F(CliSweep, ResumeRerunsOnlyUnfinishedTrials) {
  const auto file = sweep_file("partial", "max_trials: 2\n");
  auto r = mmoe({"sweep", "run", file.string(), "--store", store_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string id = sweep_id();
  // Trial 1's run is made to look interrupted (not by early termination): the re-run repeats
  // trial 1 with the same values and leaves trial 0 alone.
  const auto before = query(store_, "SELECT id FROM runs WHERE trial = 0")[0][0];
  execute(store_, "UPDATE runs SET status = 'interrupted' WHERE trial = 1");
  r = mmoe({"sweep", "run", file.string(), "--store", store_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("finished: 1 trial processes started"));
  EXPECT_EQ(query(store_, "SELECT trial, status FROM runs ORDER BY trial, started_at"),
            (std::vector<std::vector<std::string>>{{"0", "finished"}, {"1", "interrupted"}, {"1", "finished"}}));
  EXPECT_EQ(query(store_, "SELECT id FROM runs WHERE trial = 0")[0][0], before);
  EXPECT_EQ(query(store_, "SELECT COUNT(DISTINCT p.value) FROM params AS p JOIN runs AS r ON r.id = p.run_id "
                          "WHERE r.trial = 1 AND p.key = 'optim.lr'")[0][0],
            "1");
}

TEST_F(CliSweep, SlurmArrayScriptAndRunTrial) {
  const auto file = sweep_file("array");
  auto r = mmoe({"sweep", "run", file.string(), "--store", store_.string(), "--executor", "slurm", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string id = sweep_id();
  const auto script_path = test_dir_ / "mmoe-sweeps" / id / "sweep.sbatch";
  const std::string script = read_file(script_path);
  EXPECT_THAT(script, HasSubstr("#SBATCH --array=0,1,2,3%2\n"));
  EXPECT_THAT(script, HasSubstr("#SBATCH --job-name=mmoe-sweep-array\n"));
  EXPECT_THAT(script, HasSubstr("sweep run-trial " + id + " \"$SLURM_ARRAY_TASK_ID\" --store '" +
                                std::filesystem::absolute(store_).string() + "'\n"));
  // Outside an array job the script refuses.
  const auto refused = run("/usr/bin/env", {"-u", "SLURM_ARRAY_TASK_ID", "bash", script_path.string()}, test_dir_);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("not inside a SLURM array job"));

  // What an array task runs: one trial in this process; a second time it is done already.
  r = mmoe({"sweep", "run-trial", id, "1", "--store", store_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(query(store_, "SELECT trial, status FROM runs"), (std::vector<std::vector<std::string>>{{"1", "finished"}}));
  r = mmoe({"sweep", "run-trial", id, "1", "--store", store_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("is done"));
  r = mmoe({"sweep", "run-trial", id, "9", "--store", store_.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("trial 9 is out of range; it has trials 0 to 3"));
}

TEST_F(CliSweep, SlurmSubmissionNeedsACluster) {
  if (std::system("command -v sinfo >/dev/null 2>&1 && sinfo >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "no SLURM cluster runs on this host (sinfo unavailable or failing); the array script is "
                    "tested by SlurmArrayScriptAndRunTrial";
  }
  // A real 4-trial job array: every array task trains its trial into the store.
  const auto file = sweep_file("submitted");
  auto r = mmoe({"sweep", "run", file.string(), "--store", store_.string(), "--executor", "slurm"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("submitted"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(400);
  std::string finished;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      finished = query(store_, "SELECT COUNT(*) FROM runs WHERE status = 'finished' AND sweep_id IS NOT NULL")[0][0];
    } catch (const std::exception&) {
      // written by the array tasks right now
    }
    if (finished == "4") break;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  ASSERT_EQ(finished, "4") << "the array's trials did not all finish";
  EXPECT_EQ(query(store_, "SELECT COUNT(DISTINCT trial) FROM runs WHERE sweep_id IS NOT NULL")[0][0], "4");
  r = mmoe({"sweep", "best", "submitted", "--store", store_.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // And the sweep report over its trials (needs gnuplot, which CI installs).
  if (std::system("command -v gnuplot >/dev/null 2>&1") == 0) {
    const auto out = test_dir_ / "sweep-report";
    r = mmoe({"sweep", "report", "submitted", "--store", store_.string(), "--out", out.string(), "--format", "svg"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(std::filesystem::exists(out / "compare.html"));
    EXPECT_TRUE(std::filesystem::exists(out / "metric_vs_model_num_experts.svg")) << r.out;
    EXPECT_TRUE(std::filesystem::exists(out / "metric_vs_optim_lr.svg")) << r.out;
  }
}

TEST_F(CliSweep, BadSweepFilesAreRefusedBeforeAnyTrial) {
  const std::string head = "name: bad\nbase: " + config_path_.string() + "\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {head + "max_trials: 2\n", "parameters: the search space is empty"},
      {head + "max_trials: 2\nparameters:\n  optim.lr: {log_uniform: [0, 1]}\n", "parameters.optim.lr.log_uniform: bounds must be > 0"},
      {head + "max_trials: 2\nparameters:\n  model.num_expert: {values: [2]}\n", "did you mean 'model.num_experts'?"},
      {head + "max_trials: 2\nparameters:\n  model.type: {values: [mmoe, transformer]}\n",
       "parameters.model.type.values[1]: the base config"},
      {head + "max_trials: 0\nparameters:\n  model.num_experts: {values: [2]}\n", "max_trials: must be >= 1 (got 0)"}};
  for (const auto& [text, expected] : cases) {
    const auto file = write_file("bad.yaml", text);
    const auto r = mmoe({"sweep", "run", file.string(), "--store", store_.string()});
    EXPECT_EQ(r.exit_code, 1) << text;
    EXPECT_THAT(r.err, HasSubstr(expected)) << text;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_FALSE(std::filesystem::exists(store_)) << "a store was created for: " << text;
  }
}

}  // namespace
}  // namespace mmoe::e2e

namespace mmoe::e2e {
namespace {

TEST_F(CliSweep, MedianStoppingStopsAClearlyWorseTrial) {
  // Sequential trials: trial 0 (lr 0.01) runs alone to the end; trial 1 (lr 1e-7, it barely
  // moves from its initial weights) is judged against trial 0's value at each epoch and stopped.
  // 40 epochs leave the executor (polling every 200 ms) ample time to stop it first.
  const auto file = write_file("median.yaml", "name: median\nbase: " + config_path_.string() +
                                                  "\nmethod: grid\nparallelism: 1\n"
                                                  "early_termination: {method: median, min_epochs: 1, min_trials: 1}\n"
                                                  "parameters:\n  optim.lr: {values: [0.01, 1.0e-7]}\n"
                                                  "  train.epochs: {values: [40]}\n");
  auto r = mmoe({"sweep", "run", file.string(), "--store", store_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("trial 1 stopped: median stopping at epoch"));
  const auto runs = query(store_,
                          "SELECT r.trial, r.status, t.value, (SELECT COUNT(*) FROM epochs AS e WHERE e.run_id = r.id) "
                          "FROM runs AS r LEFT JOIN tags AS t ON t.run_id = r.id AND t.key = 'mmoe.sweep.stopped_early' "
                          "ORDER BY r.trial");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0][1], "finished");
  EXPECT_EQ(runs[0][2], "NULL");
  EXPECT_EQ(runs[0][3], "40");
  EXPECT_EQ(runs[1][1], "interrupted");
  EXPECT_THAT(runs[1][2], ::testing::StartsWith("median stopping at epoch "));
  EXPECT_LT(std::stoi(runs[1][3]), 40);
  r = mmoe({"sweep", "status", "median", "--store", store_.string()});
  EXPECT_THAT(r.out, HasSubstr("trials: 1 finished, 1 stopped early"));
  // Done trials: resuming runs nothing.
  r = mmoe({"sweep", "run", file.string(), "--store", store_.string()});
  EXPECT_THAT(r.out, HasSubstr("finished: 0 trial processes started"));
}

TEST_F(CliSweep, FailingTrialIsRetriedThenTheSweepFails) {
  // Trial 1's data directory does not exist: the config validator accepts the path, training
  // refuses it. max_retries 1: two attempts, then the trial is exhausted and the sweep failed.
  const auto file = write_file("retry.yaml", "name: retry\nbase: " + config_path_.string() +
                                                 "\nmethod: grid\nparallelism: 2\nmax_retries: 1\n"
                                                 "parameters:\n  data.dir: {values: [" + dataset_dir_.string() +
                                                 ", " + (test_dir_ / "no-such-data").string() + "]}\n"
                                                 "  train.epochs: {values: [2]}\n");
  auto r = mmoe({"sweep", "run", file.string(), "--store", store_.string()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("sweep retry"));
  EXPECT_THAT(r.out, HasSubstr(") failed: 3 trial processes started"));
  EXPECT_THAT(r.out, HasSubstr("trial 1 started (attempt 2)"));
  EXPECT_EQ(query(store_, "SELECT status FROM sweeps")[0][0], "failed");
  r = mmoe({"sweep", "status", "retry", "--store", store_.string()});
  EXPECT_THAT(r.out, HasSubstr("exhausted"));
  // A re-run does not try an exhausted trial again.
  r = mmoe({"sweep", "run", file.string(), "--store", store_.string()});
  EXPECT_THAT(r.out, HasSubstr("failed: 0 trial processes started"));
}

}  // namespace
}  // namespace mmoe::e2e
