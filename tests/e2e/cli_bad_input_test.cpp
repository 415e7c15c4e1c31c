// Every bad input of `mmoe train` and `mmoe runs`: exit code 1 (2 for usage), exactly one line on
// stderr naming the file, key or value and what to do, and no run left 'running' in the store.
#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/store_probe.h"

namespace mmoe::e2e {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

class BadInput : public MmoeCli {
 protected:
  // `mmoe train CONFIG overrides... tracking.store=<store>` must fail cleanly.
  ProcessResult train_fails(const std::string& config, std::vector<std::string> overrides) {
    std::vector<std::string> args = {"train", config};
    args.insert(args.end(), overrides.begin(), overrides.end());
    args.push_back("tracking.store=" + store_.string());
    auto result = mmoe(args);
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_EQ(count_lines(result.err), 1) << result.err;
    EXPECT_THAT(result.err, HasSubstr("mmoe: error: "));
    EXPECT_EQ(count_running(store_), 0);
    return result;
  }
};

TEST_F(BadInput, MissingConfigFile) {
  const auto r = train_fails("no-such.yaml", {});
  EXPECT_THAT(r.err, AllOf(HasSubstr("no-such.yaml"), HasSubstr("No such file")));
  EXPECT_FALSE(std::filesystem::exists(store_));
}

TEST_F(BadInput, MalformedYamlReportsLineAndColumn) {
  const auto path = write_file("bad.yaml", "data:\n  dir: x\nmodel:\n  num_experts: [1, 2\n");
  const auto r = train_fails(path.string(), {});
  EXPECT_THAT(r.err, AllOf(HasSubstr("bad.yaml:"), HasSubstr("malformed YAML")));
  EXPECT_THAT(r.err, ::testing::ContainsRegex("bad\\.yaml:[0-9]+:[0-9]+"));
}

TEST_F(BadInput, UnknownKeySuggestsTheNearestValidKey) {
  const auto path = write_file("typo.yaml", "data:\n  dir: x\nmodel:\n  num_expert: 4\n");
  const auto r = train_fails(path.string(), {});
  EXPECT_THAT(r.err, AllOf(HasSubstr("typo.yaml"), HasSubstr("'model.num_expert'"),
                           HasSubstr("did you mean 'model.num_experts'")));
}

TEST_F(BadInput, WrongTypeNamesKeyAndValue) {
  const auto r = train_fails(config_path_.string(), {"model.num_experts=eight"});
  EXPECT_THAT(r.err, AllOf(HasSubstr("model.num_experts"), HasSubstr("eight"), HasSubstr("integer")));
}

TEST_F(BadInput, NegativeLearningRate) {
  const auto r = train_fails(config_path_.string(), {"optim.lr=-0.1"});
  EXPECT_THAT(r.err, AllOf(HasSubstr("optim.lr"), HasSubstr("must be > 0"), HasSubstr("-0.1")));
}

TEST_F(BadInput, ZeroExpertsInTheFile) {
  const auto path = write_file("zero.yaml", "data:\n  dir: x\nmodel:\n  num_experts: 0\n");
  const auto r = train_fails(path.string(), {});
  EXPECT_THAT(r.err, AllOf(HasSubstr("zero.yaml"), HasSubstr("model.num_experts"), HasSubstr(">= 1")));
}

TEST_F(BadInput, DataPathThatDoesNotExist) {
  const auto r = train_fails(config_path_.string(), {"data.dir=/nonexistent/features"});
  EXPECT_THAT(r.err, AllOf(HasSubstr("/nonexistent/features"), HasSubstr("does not exist"), HasSubstr("mmoe synth")));
  EXPECT_FALSE(std::filesystem::exists(store_));
}

TEST_F(BadInput, TaskNotInTheDataset) {
  const auto r = train_fails(config_path_.string(), {"tasks.colour.weight=2"});
  EXPECT_THAT(r.err, AllOf(HasSubstr("tasks.colour"), HasSubstr("category"), HasSubstr("color")));
}

TEST_F(BadInput, MonitorOfATaskTheDatasetLacks) {
  const auto r = train_fails(config_path_.string(), {"train.monitor=val/colour/macro_f1"});
  EXPECT_THAT(r.err, AllOf(HasSubstr("train.monitor: val/colour/macro_f1"), HasSubstr("no task 'colour'"),
                           HasSubstr("category")));
  EXPECT_FALSE(std::filesystem::exists(store_));  // refused before a run is created
}

TEST_F(BadInput, MonitorMetricTheTaskTypeLacks) {
  const auto r = train_fails(config_path_.string(), {"train.monitor=val/price/macro_f1"});
  EXPECT_THAT(r.err, AllOf(HasSubstr("train.monitor: val/price/macro_f1"), HasSubstr("regression"),
                           HasSubstr("mae, rmse, r2")));
  EXPECT_FALSE(std::filesystem::exists(store_));
}

TEST_F(BadInput, UnknownMonitorMetricListsTheValidOnes) {
  const auto r = train_fails(config_path_.string(), {"train.monitor=val_f2"});
  EXPECT_THAT(r.err, AllOf(HasSubstr("train.monitor"), HasSubstr("val_macro_f1"), HasSubstr("val/<task>/<metric>"),
                           HasSubstr("'val_f2'")));
}

TEST_F(BadInput, ThresholdOnANonMultilabelTask) {
  const auto r = train_fails(config_path_.string(), {"tasks.color.threshold=0.3"});
  EXPECT_THAT(r.err, AllOf(HasSubstr("tasks.color.threshold"), HasSubstr("only multilabel tasks"),
                           HasSubstr("multiclass")));
  EXPECT_FALSE(std::filesystem::exists(store_));
}

TEST_F(BadInput, StoreInAMissingDirectory) {
  auto result = mmoe({"train", config_path_.string(), "tracking.store=" + (test_dir_ / "nodir" / "s.db").string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, AllOf(HasSubstr("nodir"), HasSubstr("does not exist")));
}

TEST_F(BadInput, RunsShowOfAnUnknownId) {
  ASSERT_EQ(mmoe({"train", config_path_.string(), "train.epochs=1", "tracking.store=" + store_.string()}).exit_code, 0);
  const auto r = mmoe({"runs", "show", "0123456789ab", "--store", store_.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(count_lines(r.err), 1);
  EXPECT_THAT(r.err, AllOf(HasSubstr("no run '0123456789ab'"), HasSubstr("mmoe runs list")));
}

TEST_F(BadInput, RunsListOfAMissingStore) {
  const auto r = mmoe({"runs", "list", "--store", "absent.db"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("absent.db"));
  EXPECT_FALSE(std::filesystem::exists(test_dir_ / "absent.db"));
}

TEST_F(BadInput, UsageErrorsExitWithTwo) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"frobnicate"}, {"train"}, {"runs"}, {"runs", "list", "--bogus"}, {"train", "x.yaml", "--nope"}, {}}) {
    const auto r = mmoe(args);
    EXPECT_EQ(r.exit_code, 2) << ::testing::PrintToString(args) << r.err;
    EXPECT_THAT(r.err, HasSubstr("usage error"));
  }
  EXPECT_THAT(mmoe({"frobnicate"}).err, HasSubstr("unknown subcommand 'frobnicate'"));
}

TEST_F(BadInput, HelpAndVersionExitZero) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--help"}, {"train", "--help"}, {"synth", "--help"}, {"runs", "--help"}, {"runs", "list", "--help"},
           {"runs", "show", "--help"}}) {
    const auto r = mmoe(args);
    EXPECT_EQ(r.exit_code, 0) << ::testing::PrintToString(args);
    EXPECT_THAT(r.out, HasSubstr("Usage"));
  }
  const auto version = mmoe({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.out, HasSubstr("mmoe 0."));
}

}  // namespace
}  // namespace mmoe::e2e
