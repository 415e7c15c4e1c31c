// `mmoe train --resume`, `mmoe eval`, `mmoe predict` through the binary: a run stopped by SIGTERM
// and resumed (auto or by path) keeps its id and ends with the metrics of an uninterrupted run;
// eval records the split with the run; predict writes one parsable row per sample.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/store_probe.h"

namespace mmoe::e2e {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr int kEpochs = 24;

class Resume : public MmoeCli {
 protected:
  std::vector<std::string> train_args(const fs::path& store, std::vector<std::string> extra) const {
    std::vector<std::string> args = {"train", config_path_.string(), "tracking.store=" + store.string(),
                                     "train.epochs=" + std::to_string(kEpochs), "model.expert_dropout=0.2"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  // Every stored number of a run's epochs, in a stable order, as text (exact).
  static std::vector<std::vector<std::string>> stored_metrics(const fs::path& store) {
    auto rows = query(store, "SELECT epoch, key, printf('%.17g', value) FROM metrics "
                             "WHERE key NOT IN ('epoch_time_s', 'rows_per_s') ORDER BY epoch, key");
    const auto tasks = query(store, "SELECT epoch, task, split, printf('%.17g|%.17g|%.17g|%.17g', loss, "
                                    "accuracy, weighted_f1, rmse) FROM task_metrics ORDER BY epoch, task, split");
    rows.insert(rows.end(), tasks.begin(), tasks.end());
    return rows;
  }
  // Starts training, waits for its first complete 'last' checkpoint, and stops it with `signal`
  // (mid-epoch, most likely: it then writes a checkpoint of the step it stopped at).
  std::string train_and_interrupt(const fs::path& store, int signal = SIGTERM) const {
    const pid_t pid = spawn(mmoe_binary(), train_args(store, {}), test_dir_);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    bool found = false;
    while (!found && std::chrono::steady_clock::now() < deadline) {
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(test_dir_ / "checkpoints", ec)) {
        found = found || fs::exists(entry.path() / "last" / "manifest.yaml");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    kill(pid, signal);
    const auto r = wait_for(pid, test_dir_);
    const bool preemption = signal != SIGINT;
    EXPECT_EQ(r.exit_code, preemption ? 75 : 130) << r.err;
    const auto runs = query(store, "SELECT id, status FROM runs");
    EXPECT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs.empty() ? "" : runs[0][1], preemption ? "preempted" : "interrupted");
    return runs.empty() ? "" : runs[0][0];
  }
};

TEST_F(Resume, AutoContinuesTheSameRunToTheMetricsOfAnUninterruptedRun) {
  const auto whole_store = test_dir_ / "whole.db";
  const auto whole = mmoe(train_args(whole_store, {"train.checkpoint_dir=whole-checkpoints"}));
  ASSERT_EQ(whole.exit_code, 0) << whole.err;

  const auto id = train_and_interrupt(store_);
  const auto r = mmoe(train_args(store_, {"--resume", "auto"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("resuming run " + id));
  EXPECT_THAT(r.out, HasSubstr("run " + id + " finished"));
  const auto runs = query(store_, "SELECT id, status, ended_at IS NOT NULL, best_epoch FROM runs");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0][0], id);
  EXPECT_EQ(runs[0][1], "finished");
  EXPECT_EQ(runs[0][2], "1");
  EXPECT_EQ(runs[0][3], query(whole_store, "SELECT best_epoch FROM runs")[0][0]);
  EXPECT_EQ(query(store_, "SELECT count(*) FROM epochs")[0][0], std::to_string(kEpochs));
  EXPECT_EQ(stored_metrics(store_), stored_metrics(whole_store));

  // Finished now: auto finds nothing to resume and says so in one line.
  const auto again = mmoe(train_args(store_, {"--resume", "auto", "train.epochs=1"}));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.err, HasSubstr("--resume auto: no resumable checkpoint"));
  EXPECT_EQ(query(store_, "SELECT count(*) FROM runs")[0][0], "2");
}

TEST_F(Resume, PathContinuesTheRunAndRefusesAChangedConfigNamingTheKey) {
  const auto id = train_and_interrupt(store_, SIGINT);  // Ctrl-C: interrupted, and resumable too
  const auto checkpoint = (test_dir_ / "checkpoints" / id / "last").string();
  const auto changed = mmoe(train_args(store_, {"--resume", checkpoint, "model.num_experts=2"}));
  EXPECT_EQ(changed.exit_code, 1);
  EXPECT_THAT(changed.err, HasSubstr("model.num_experts (checkpoint: '4', now: '2')"));
  EXPECT_EQ(count_lines(changed.err), 1) << changed.err;

  const auto r = mmoe(train_args(store_, {"--resume", checkpoint}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("run " + id + " finished"));
  EXPECT_EQ(query(store_, "SELECT count(*) FROM runs")[0][0], "1");
  EXPECT_EQ(query(store_, "SELECT count(*) FROM epochs")[0][0], std::to_string(kEpochs));

  // The run is finished: resuming it again is refused, naming it.
  const auto finished = mmoe(train_args(store_, {"--resume", checkpoint}));
  EXPECT_EQ(finished.exit_code, 1);
  EXPECT_THAT(finished.err, HasSubstr("run '" + id + "'"));
  EXPECT_THAT(finished.err, HasSubstr("finished"));
}

TEST_F(Resume, AnIncompleteOrMissingCheckpointIsOneLine) {
  const auto missing = mmoe(train_args(store_, {"--resume", "nowhere/last"}));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("checkpoint 'nowhere/last' does not exist"));
  EXPECT_EQ(count_lines(missing.err), 1) << missing.err;
  fs::create_directories(test_dir_ / "half" / "last");
  std::ofstream(test_dir_ / "half" / "last" / "state.pt") << "partial";
  const auto half = mmoe(train_args(store_, {"--resume", "half/last"}));
  EXPECT_EQ(half.exit_code, 1);
  EXPECT_THAT(half.err, HasSubstr("is incomplete"));
  EXPECT_EQ(count_lines(half.err), 1) << half.err;
  const auto runs = query(store_, "SELECT count(*) FROM runs");
  EXPECT_TRUE(runs.empty() || runs[0][0] == "0");  // no run was created
}

class EvalPredict : public MmoeCli {
 protected:
  static void SetUpTestSuite() {
    MmoeCli::SetUpTestSuite();
    store_path_ = suite_dir_ / "eval.db";
    const auto r = run(mmoe_binary(),
                       {"train", config_path_.string(), "tracking.store=" + store_path_.string(), "train.epochs=3"},
                       suite_dir_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::smatch match;
    ASSERT_TRUE(std::regex_search(r.out, match, std::regex("run ([0-9a-f]{12}) finished")));
    run_id_ = match[1];
    best_ = suite_dir_ / "checkpoints" / run_id_ / "best";
  }
  static std::vector<std::vector<std::string>> read_csv(const fs::path& path) {
    std::vector<std::vector<std::string>> rows;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
      std::vector<std::string> fields;
      std::stringstream stream(line);
      for (std::string field; std::getline(stream, field, ',');) fields.push_back(field);
      rows.push_back(fields);
    }
    return rows;
  }
  static inline fs::path store_path_;
  static inline std::string run_id_;
  static inline fs::path best_;
};

TEST_F(EvalPredict, EvalOfARunRecordsTheSplitAtTheBestEpoch) {
  // Trained in the suite's directory, evaluated from this test's: the run's checkpoint root tag
  // (absolute) finds the checkpoint where the relative train.checkpoint_dir would not.
  EXPECT_EQ(query(store_path_, "SELECT value FROM tags WHERE key = 'mmoe.checkpoint_root'")[0][0],
            (suite_dir_ / "checkpoints").string());
  const auto r = mmoe({"eval", "--run", run_id_, "--split", "test", "--store", store_path_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("category"));
  EXPECT_THAT(r.out, HasSubstr("price"));
  const auto best = query(store_path_, "SELECT best_epoch FROM runs WHERE id = '" + run_id_ + "'")[0][0];
  const auto rows = query(store_path_, "SELECT task, epoch, labelled_rows FROM task_metrics WHERE split = 'test' "
                                       "ORDER BY task");
  ASSERT_EQ(rows.size(), 4u);  // category, color, price, style
  for (const auto& row : rows) EXPECT_EQ(row[1], best) << row[0];
  // 3000 rows: test is [85%, 100%) = 450 rows; category is labelled on about 80% of them.
  EXPECT_GT(std::stoi(rows[0][2]), 300);
  EXPECT_LE(std::stoi(rows[0][2]), 450);

  const auto json = mmoe({"eval", "--checkpoint", best_.string(), "--split", "val", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr("\"split\": \"val\""));
  EXPECT_THAT(json.out, HasSubstr("\"recorded\": false"));
  EXPECT_THAT(json.out, HasSubstr("\"weighted_f1\""));
}

TEST_F(EvalPredict, EvalBadInputsAreOneLine) {
  const auto split = mmoe({"eval", "--checkpoint", best_.string(), "--split", "holdout"});
  EXPECT_EQ(split.exit_code, 1);
  EXPECT_THAT(split.err, HasSubstr("has no split 'holdout' (its splits: train, val, test)"));
  EXPECT_EQ(count_lines(split.err), 1) << split.err;
  const auto run = mmoe({"eval", "--run", "ffffffffffff", "--store", store_path_.string()});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("ffffffffffff"));
  const auto neither = mmoe({"eval"});
  EXPECT_EQ(neither.exit_code, 2);
}

TEST_F(EvalPredict, PredictWritesOneRowPerSampleWithProbabilitiesSummingToOne) {
  const auto out = test_dir_ / "pred.csv";
  const auto r = mmoe({"predict", "--checkpoint", best_.string(), "--data", dataset_dir_.string(), "--split", "test",
                       "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = read_csv(out);
  ASSERT_EQ(rows.size(), 451u);  // header + 450 test rows
  const auto& header = rows[0];
  EXPECT_EQ(header[0], "sample_id");
  // Columns of the multiclass task 'category': its prediction, then one probability per class.
  const auto at = std::find(header.begin(), header.end(), "category") - header.begin();
  ASSERT_LT(at, static_cast<long>(header.size()));
  std::vector<size_t> probability_columns;
  for (size_t c = 0; c < header.size(); ++c) {
    if (header[c].rfind("category:p:", 0) == 0) probability_columns.push_back(c);
  }
  ASSERT_GE(probability_columns.size(), 2u);
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), header.size()) << "row " << i;
    double sum = 0.0;
    double best = -1.0;
    std::string best_name;
    for (auto c : probability_columns) {
      const double p = std::stod(rows[i][c]);
      sum += p;
      if (p > best) {
        best = p;
        best_name = header[c].substr(std::string("category:p:").size());
      }
    }
    EXPECT_NEAR(sum, 1.0, 1e-5) << "row " << i;
    EXPECT_EQ(rows[i][static_cast<size_t>(at)], best_name) << "row " << i;  // the argmax class, by name
  }
  EXPECT_NE(std::find(header.begin(), header.end(), "price"), header.end());  // regression: one value
}

TEST_F(EvalPredict, PredictBadInputsAreOneLine) {
  const auto out = (test_dir_ / "pred.csv").string();
  const auto missing = mmoe({"predict", "--checkpoint", "gone", "--data", dataset_dir_.string(), "--out", out});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("checkpoint 'gone' does not exist"));
  EXPECT_EQ(count_lines(missing.err), 1) << missing.err;

  const auto split = mmoe({"predict", "--checkpoint", best_.string(), "--data", dataset_dir_.string(), "--split",
                           "nope", "--out", out});
  EXPECT_EQ(split.exit_code, 1);
  EXPECT_THAT(split.err, HasSubstr("has no split 'nope'"));

  const auto other = test_dir_ / "narrow";
  ASSERT_EQ(mmoe({"synth", "--kind", "attributes", "--out", other.string(), "--rows", "200", "--feature-dim", "8"})
                .exit_code,
            0);
  const auto dim = mmoe({"predict", "--checkpoint", best_.string(), "--data", other.string(), "--out", out});
  EXPECT_EQ(dim.exit_code, 1);
  EXPECT_THAT(dim.err, HasSubstr("has feature_dim 8 but the checkpoint's model takes 32"));
  EXPECT_EQ(count_lines(dim.err), 1) << dim.err;
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace mmoe::e2e
