// `mmoe synth --kind mmoe-paper` -> `mmoe train`: a dataset of two regression tasks that trains
// (monitoring val_loss, as the trainer does without a classification task); per-kind defaults;
// and flags that are out of range or belong to the other kind refused with one clear line.
#include <fstream>
#include <regex>

#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/store_probe.h"

namespace mmoe::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class Synth : public MmoeCli {};

// The value of `key: <number>` in a YAML text; NaN when absent.
double yaml_number(const std::string& text, const std::string& key) {
  std::smatch match;
  if (!std::regex_search(text, match, std::regex(key + ": ([-0-9.eE+]+)"))) return std::nan("");
  return std::stod(match[1]);
}

TEST_F(Synth, MmoePaperDatasetTrainsBothRegressionTasks) {
  const auto synth = mmoe({"synth", "--kind", "mmoe-paper", "--out", "paper", "--rows", "4000", "--feature-dim",
                           "16", "--correlation", "0.8", "--seed", "2"});
  ASSERT_EQ(synth.exit_code, 0) << synth.err;
  EXPECT_THAT(synth.out, HasSubstr("y1 (regression, 1) y2 (regression, 1)"));
  EXPECT_THAT(synth.out, HasSubstr("requested 0.8, measured"));
  const auto manifest = read_file(test_dir_ / "paper" / "dataset.yaml");
  EXPECT_THAT(manifest, HasSubstr("kind: mmoe-paper"));
  EXPECT_EQ(yaml_number(manifest, "feature_dim"), 16);
  EXPECT_EQ(yaml_number(manifest, "seed"), 2);
  EXPECT_EQ(yaml_number(manifest, "correlation"), 0.8);
  const double measured = yaml_number(manifest, "measured_label_correlation");
  EXPECT_GT(measured, 0.4);
  EXPECT_LT(measured, 0.95);

  const auto config = write_file("paper.yaml", "data:\n  dir: " + (test_dir_ / "paper").string() +
                                                   "\nmodel:\n  num_experts: 4\n  expert_hidden: [32, 16]\n"
                                                   "  tower_hidden: [16]\noptim:\n  lr: 0.003\n"
                                                   "train:\n  epochs: 6\n  batch_size: 64\n  seed: 1\n"
                                                   "tracking:\n  experiment: e2e\n");
  const auto train = mmoe({"train", config.string(), "tracking.store=" + store_.string()});
  ASSERT_EQ(train.exit_code, 0) << train.err;
  // Monitoring val_loss, each epoch line names it once (not "val_loss X val_loss X").
  EXPECT_THAT(train.err, HasSubstr("epoch 6/6 train_loss "));
  EXPECT_EQ(std::regex_search(train.err, std::regex("val_loss [0-9.]+ val_loss")), false) << train.err;
  EXPECT_EQ(query(store_, "SELECT status FROM runs")[0][0], "finished");
  EXPECT_EQ(query(store_, "SELECT monitor FROM runs")[0][0], "val_loss");
  EXPECT_NE(query(store_, "SELECT best_epoch FROM runs")[0][0], "NULL");
  EXPECT_EQ(query(store_, "SELECT count(DISTINCT epoch) FROM metrics WHERE key = 'val_loss'")[0][0], "6");
  EXPECT_EQ(query(store_, "SELECT count(*) FROM metrics WHERE key = 'val_weighted_f1'")[0][0], "0");
  EXPECT_EQ(query(store_, "SELECT count(*) FROM gate_stats WHERE epoch = 6")[0][0], "8");  // 2 tasks x 4 experts
  // Both tasks learned: the validation RMSE ends well below the first epoch's.
  for (const char* task : {"y1", "y2"}) {
    const auto rmse = query(store_, std::string("SELECT rmse FROM task_metrics WHERE split = 'val' AND task = '") +
                                        task + "' ORDER BY epoch");
    ASSERT_EQ(rmse.size(), 6u) << task;
    const auto final_rmse = query(store_, std::string("SELECT rmse FROM final_task_metrics WHERE split = 'val' "
                                                      "AND task = '") + task + "'");
    ASSERT_EQ(final_rmse.size(), 1u) << task;
    EXPECT_LT(std::stod(final_rmse[0][0]), 0.8 * std::stod(rmse[0][0])) << task;
  }
}

TEST_F(Synth, Float16CompressedShardsVerifyAndTrain) {
  const auto synth = mmoe({"synth", "--out", "half", "--rows", "2000", "--feature-dim", "16", "--seed", "4",
                           "--feature-dtype", "float16", "--gzip", "5"});
  ASSERT_EQ(synth.exit_code, 0) << synth.err;
  EXPECT_THAT(read_file(test_dir_ / "half" / "dataset.yaml"), HasSubstr("feature_dtype: float16"));
  const auto verify = mmoe({"data", "verify", (test_dir_ / "half").string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  const auto train = mmoe({"train", config_path_.string(), "data.dir=" + (test_dir_ / "half").string(),
                           "train.epochs=2", "tracking.store=" + store_.string()});
  ASSERT_EQ(train.exit_code, 0) << train.err;
  EXPECT_EQ(query(store_, "SELECT status FROM runs")[0][0], "finished");
  EXPECT_EQ(mmoe({"synth", "--out", "x", "--gzip", "10"}).exit_code, 2);
  EXPECT_EQ(mmoe({"synth", "--out", "x", "--feature-dtype", "bf16"}).exit_code, 2);
}

TEST_F(Synth, FeatureDimDefaultsToTheKindsOwn) {
  ASSERT_EQ(mmoe({"synth", "--kind", "mmoe-paper", "--out", "p", "--rows", "20"}).exit_code, 0);
  EXPECT_EQ(yaml_number(read_file(test_dir_ / "p" / "dataset.yaml"), "feature_dim"), 100);
  ASSERT_EQ(mmoe({"synth", "--out", "a", "--rows", "20", "--feature-dim", "0"}).exit_code, 0);
  EXPECT_EQ(yaml_number(read_file(test_dir_ / "a" / "dataset.yaml"), "feature_dim"), 64);
  const auto help = mmoe({"synth", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("mmoe-paper"));
  EXPECT_THAT(help.out, HasSubstr("0 = the kind's default (attributes 64, mmoe-paper 100)"));
}

TEST_F(Synth, OutOfRangeValuesExitOneWithOneLineNamingTheFlag) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--correlation", "1.5"}, "--correlation must be in [-1, 1] (got 1.5)"},
      {{"--correlation=-2"}, "--correlation must be in [-1, 1] (got -2)"},
      {{"--rows", "0"}, "--rows must be >= 20"},
      {{"--feature-dim", "1"}, "--feature-dim must be >= 2 for --kind mmoe-paper (got 1)"},
      {{"--sin-terms=-1"}, "--sin-terms must be >= 0 (got -1)"},
      {{"--scale", "0"}, "--scale must be a finite number > 0 (got 0)"},
  };
  for (const auto& [flags, message] : cases) {
    std::vector<std::string> args = {"synth", "--kind", "mmoe-paper", "--out", "bad"};
    args.insert(args.end(), flags.begin(), flags.end());
    const auto r = mmoe(args);
    EXPECT_EQ(r.exit_code, 1) << message << r.err;
    EXPECT_THAT(r.err, HasSubstr("mmoe: error: synth: " + message));
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_FALSE(std::filesystem::exists(test_dir_ / "bad")) << message;
  }
}

TEST_F(Synth, FlagsOfTheOtherKindAreUsageErrorsNamingThem) {
  auto r = mmoe({"synth", "--out", "x", "--correlation", "0.5", "--sin-terms", "3"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("usage error"));
  EXPECT_THAT(r.err, HasSubstr("--correlation, --sin-terms do not apply to --kind attributes"));
  r = mmoe({"synth", "--kind", "mmoe-paper", "--out", "x", "--noise", "0.1"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--noise does not apply to --kind mmoe-paper (it is a --kind attributes option)"));
  r = mmoe({"synth", "--kind", "mmoe_paper", "--out", "x"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--kind"));
  EXPECT_THAT(r.err, HasSubstr("mmoe-paper"));
  EXPECT_FALSE(std::filesystem::exists(test_dir_ / "x"));
  // The attributes kind still refuses its own bad values, with exit 1.
  r = mmoe({"synth", "--out", "x", "--missing", "1"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("usage error")));
}

}  // namespace
}  // namespace mmoe::e2e
